import Foundation
import Logging
import PillarCore
import PillarFlows
import PillarGateway
import Synchronization

/// Flow steps reach models the way API callers do: admitted against the caller's budgets, through the
/// gateway, and recorded as turns.
struct GatewayFlowModels: FlowModels {
    let gateway: ModelGateway
    let admission: AdmissionControl?
    let prices: [String: ModelPrice]
    let turns: any TurnRepository
    let redaction: StorageRedaction
    let logger: Logger

    func serves(_ model: String) -> Bool { gateway.serves(model) }

    func generate(_ request: ChatCompletionRequest, context: FlowContext,
                  onDelta: (@Sendable (String) async throws -> Void)?) async throws -> Generation {
        var request = request
        request.messages = try redaction.prepareForModel(request.messages, tenant: context.principal.tenant)
        let settlement = try await Settlement.reserve(admission, for: context.principal,
                                                      promptTokens: TokenEstimate.promptTokens(request),
                                                      maxTokens: request.completionTokenLimit)
        if request.maxTokens == nil, let allowance = settlement.completionAllowance { request.maxTokens = allowance }
        let recorder = TurnRecorder(turns: turns, principal: context.principal, model: request.model,
                                    streamed: onDelta != nil, price: prices[request.model],
                                    traceID: TraceContext.currentTraceID(), settlement: settlement, logger: logger)
        guard let onDelta else {
            let deployment = Mutex<String?>(nil)
            do {
                let completion = try await gateway.complete(request, caller: context.caller) { outcome in
                    deployment.withLock { $0 = outcome.deployment }
                    await recorder.record(outcome)
                }
                return Generation(text: completion.text, usage: completion.usage, deployment: deployment.withLock { $0 })
            } catch {
                // Refused before any model was called, nothing was spent; otherwise the recorder has settled
                // already and this is a no-op.
                await settlement.settle(usedTokens: 0)
                throw error
            }
        }
        request.stream = true
        request.streamOptions = .init(includeUsage: true)
        let streamed: ModelGateway.Streamed
        do {
            streamed = try await gateway.stream(request, caller: context.caller, onFinish: recorder.record)
        } catch {
            await settlement.settle(usedTokens: 0)
            throw error
        }
        // From here the recorder settles with what the stream used, however it ends (a caller who goes away
        // mid-answer still pays for the tokens it was sent).
        var text = ""
        var usage: Usage?
        for try await chunk in streamed.chunks {
            if let reported = chunk.usage { usage = reported }
            let delta = chunk.contentDelta
            guard !delta.isEmpty else { continue }
            text += delta
            try await onDelta(delta)
        }
        return Generation(text: text, usage: usage, deployment: streamed.deployment)
    }
}
