import Foundation
import Logging
import PillarCore
import PillarFlows
import PillarGateway
import PillarSafety

/// Flow steps reach models the way API callers do: admitted against the caller's budgets, through the
/// gateway, and recorded as turns.
struct GatewayFlowModels: FlowModels {
    let gateway: ModelGateway
    let admission: AdmissionControl?
    let prices: [String: ModelPrice]
    let turns: any TurnRepository
    let redaction: StorageRedaction
    let gate: SafetyGate
    let logger: Logger

    func serves(_ model: String) -> Bool { gateway.serves(model) }

    func generate(
        _ request: ChatCompletionRequest, context: FlowContext,
        onDelta: (@Sendable (String) async throws -> Void)?
    ) async throws -> Generation {
        var request = request
        request.messages = try redaction.prepareForModel(request.messages, tenant: context.principal.tenant)
        let settlement = try await Settlement.reserve(
            admission, for: context.principal,
            promptTokens: gateway.tokens.promptTokens(request),
            maxTokens: request.completionTokenLimit, price: prices[request.model])
        if request.maxTokens == nil, let allowance = settlement.completionAllowance { request.maxTokens = allowance }
        let recorder = TurnRecorder(
            turns: turns, principal: context.principal, model: request.model,
            streamed: onDelta != nil, price: prices[request.model],
            traceID: TraceContext.currentTraceID(), settlement: settlement, logger: logger,
            stop: TurnStop())
        let output = gate.outputGuard(tenant: context.principal.tenant)
        guard let onDelta else {
            let checked: (ChatCompletion, ModelGateway.Outcome?, blocked: [HarmCategory]?)
            do {
                checked = try await recorder.completeChecked(request, gateway: gateway, caller: context.caller, output: output)
            } catch {
                // Refused before any model was called, nothing was spent; otherwise the recorder has settled.
                await settlement.settle(usedTokens: 0)
                throw error
            }
            let (completion, outcome, blocked) = checked
            if let blocked { throw SafetyGate.blocked(blocked) }
            return Generation(text: completion.text, usage: completion.usage, deployment: outcome?.deployment)
        }
        request.stream = true
        request.streamOptions = .init(includeUsage: true)
        let streamed: ModelGateway.Streamed
        do {
            streamed = try await gateway.stream(
                request, caller: context.caller, permit: settlement.extend,
                onFinish: recorder.record)
        } catch {
            await settlement.settle(usedTokens: 0)
            throw error
        }
        // From here the recorder settles with what the stream used, however it ends (a caller who goes away
        // mid-answer still pays for the tokens it was sent).
        var text = ""
        var usage: Usage?
        var hold = OutputHold<String>(output, stop: recorder.stop)
        for try await chunk in streamed.chunks {
            if let reported = chunk.usage { usage = reported }
            let delta = chunk.contentDelta
            guard !delta.isEmpty else { continue }
            text += delta
            // Passed on only once the content filter has checked it: a block ends the answer with its error.
            for piece in try await hold.admit(delta, text: delta) { try await onDelta(piece) }
        }
        for piece in try await hold.finish() { try await onDelta(piece) }
        return Generation(text: text, usage: usage, deployment: streamed.deployment)
    }
}
