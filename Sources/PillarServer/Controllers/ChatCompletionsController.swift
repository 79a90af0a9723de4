import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PillarCore
import PillarFlows
import PillarGateway
import PillarSafety
import Synchronization

/// The OpenAI-compatible chat API: `POST /v1/chat/completions` (whole or as server-sent events) and
/// `GET /v1/models`. Every call is recorded as a turn, with counts and timings but no text.
struct ChatCompletionsController: Sendable {
    let gateway: ModelGateway
    let admission: AdmissionControl?
    let prices: [String: ModelPrice]
    let turns: any TurnRepository
    let bodyReader: RequestBodyReader
    let flows: FlowCompletions
    let flowLibrary: VersionedLibrary<CompiledFlow>
    let redaction: StorageRedaction
    let gate: SafetyGate
    let logger: Logger

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("chat/completions", use: create)
        group.get("models", use: models)
    }

    /// The tenant's flows as `pillar:NAME`, the grounded one (`rag`) first, then the gateway's chat models, then the
    /// models that only embed: a client (or the chat page) that takes the first id gets a grounded answer with
    /// citations, and never a model that cannot chat.
    @Sendable func models(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let created = 1_735_689_600
        let flowNames = try await flowLibrary.entries(tenant: context.principal.tenant).map(\.name)
            .sorted { ($0 != ShippedLibrary.groundedFlow ? 1 : 0, $0) < ($1 != ShippedLibrary.groundedFlow ? 1 : 0, $1) }
            .map { FlowCompletions.modelPrefix + $0 }
        let gatewayModels = gateway.models.map { model in
            ModelList.Model(
                id: model, created: created, ownedBy: "pillar",
                capabilities: gateway.pool.capabilities(of: model).sorted().map(\.rawValue))
        }
        let flows = flowNames.map { ModelList.Model(id: $0, created: created, ownedBy: "pillar", capabilities: ["chat"]) }
        let chats = gatewayModels.filter { $0.capabilities?.contains("chat") ?? true }
        let embeddingOnly = gatewayModels.filter { !($0.capabilities?.contains("chat") ?? true) }
        return try JSONResponse.make(ModelList(data: flows + chats + embeddingOnly))
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let body = try await bodyReader.decode(ChatCompletionRequest.self, from: request)
        return try await respond(body, request: request, context: context, azure: false)
    }

    /// A chat completion, in OpenAI's shapes or (`azure`) in Azure OpenAI's, which add the guards' filter results
    /// and refuse a blocked prompt with Azure's error.
    func respond(
        _ body: ChatCompletionRequest, request: Request, context: AuthenticatedContext,
        azure: Bool
    ) async throws -> Response {
        var body = body
        try body.validate()
        let principal = context.principal
        if body.model.hasPrefix(FlowCompletions.modelPrefix) {
            // A flow runs its own guard nodes; on the Azure routes the prompt is also screened first, so that a
            // blocked prompt is refused as Azure refuses it and the filter results can be reported.
            let filter =
                azure ? try await AzureContentFilterResults.screen(body.messages, gate: gate, tenant: principal.tenant) : nil
            return try await flows.respond(to: body, request: request, principal: principal, azure: filter)
        }
        guard gateway.serves(body.model) else { throw PillarError.modelNotFound(body.model) }
        let filter: AzureContentFilterResults?
        if azure {
            filter = try await AzureContentFilterResults.screen(body.messages, gate: gate, tenant: principal.tenant)
        } else {
            try await gate.checkInput(body.messages, tenant: principal.tenant)
            filter = nil
        }
        body.messages = try redaction.prepareForModel(body.messages, tenant: principal.tenant)
        let caller = ModelGateway.Caller(tenant: principal.tenant, subject: principal.subject)
        let settlement = try await Settlement.reserve(
            admission, for: principal, promptTokens: gateway.tokens.promptTokens(body),
            maxTokens: body.completionTokenLimit, price: prices[body.model])
        // Without max_tokens, the completion may use only what was reserved for it.
        if let allowance = settlement.completionAllowance { body.maxTokens = allowance }
        let traceID = TraceContext.currentTraceID()
        let recorder = TurnRecorder(
            turns: turns, principal: principal, model: body.model, streamed: body.isStreaming,
            price: prices[body.model], traceID: traceID, settlement: settlement, logger: context.logger,
            stop: TurnStop())
        var headers: HTTPFields = [:]
        if let traceID { headers[.traceID] = traceID }

        do {
            return try await call(
                body, caller: caller, recorder: recorder, headers: headers,
                output: gate.outputGuard(tenant: principal.tenant), azure: filter, logger: context.logger)
        } catch {
            // Refused before the model was called (a tenant at its cap): nothing was spent.
            await settlement.settle(usedTokens: 0)
            throw error
        }
    }

    private func call(
        _ body: ChatCompletionRequest, caller: ModelGateway.Caller, recorder: TurnRecorder,
        headers: HTTPFields, output: StreamingContentGuard?, azure: AzureContentFilterResults?,
        logger: Logger
    ) async throws -> Response {
        var headers = headers
        guard body.isStreaming else {
            var (completion, _, blocked) = try await recorder.completeChecked(
                body, gateway: gateway, caller: caller, output: output)
            if let azure {
                completion.extra["prompt_filter_results"] = azure.promptFilterResults
                completion.choices = completion.choices.map { choice in
                    var choice = choice
                    if let results = azure.answer(choice.message.content?.text ?? "", blocked: blocked) {
                        choice.extra["content_filter_results"] = results
                    }
                    return choice
                }
            }
            if let categories = blocked {
                // As Azure OpenAI does: the answer is withheld and the finish reason says why.
                completion.choices = completion.choices.map { choice in
                    var choice = choice
                    choice.message.content = nil
                    choice.finishReason = "content_filter"
                    return choice
                }
                completion.extra["pillar"] = .object(["content_filter": .array(categories.map { .string($0.rawValue) })])
            }
            return try JSONResponse.make(completion, headers: headers)
        }
        let streamed = try await gateway.stream(
            body, caller: caller, permit: recorder.settlement.extend, onFinish: recorder.record)
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[.deployment] = streamed.deployment
        let chunks = streamed.chunks
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let encoder = JSONEncoder()
                var hold = OutputHold<ChatCompletionChunk>(output, stop: recorder.stop)
                var last: ChatCompletionChunk?
                func send(_ pieces: [ChatCompletionChunk]) async throws {
                    for piece in azure.map({ Self.annotate(pieces, with: $0) }) ?? pieces {
                        try await writer.write(ServerSentEvent.data(try encoder.encode(piece)))
                    }
                    last = pieces.last ?? last
                }
                do {
                    if let azure { try await writer.write(ServerSentEvent.data(try encoder.encode(azure.promptChunk()))) }
                    for try await chunk in chunks {
                        // Pieces go out only once the content filter has checked their text; a block ends the
                        // stream with an error event.
                        try await send(try await hold.admit(chunk, text: chunk.contentDelta))
                    }
                    try await send(try await hold.finish())
                    try await writer.write(ServerSentEvent.done)
                } catch let error as PillarError {
                    if let azure, let blocked = hold.blocked {
                        // Azure ends a filtered stream with a chunk whose finish reason says why, even when the filter
                        // stopped it before anything was sent.
                        let stop = ChatCompletionChunk(
                            id: last?.id ?? "chatcmpl-" + UUID().uuidString.lowercased(),
                            created: last?.created ?? Int(Date().timeIntervalSince1970), model: last?.model ?? body.model,
                            choices: [
                                .init(
                                    index: 0, delta: .init(), finishReason: "content_filter",
                                    extra: azure.answer("", blocked: blocked).map { ["content_filter_results": $0] } ?? [:])
                            ])
                        try await writer.write(ServerSentEvent.data(try encoder.encode(stop)))
                        try await writer.write(ServerSentEvent.done)
                    } else {
                        // Tokens may already be on screen: say plainly that the answer is incomplete, never just stop.
                        logger.warning("stream failed after it started", metadata: ["error": "\(error.code)"])
                        try await writer.write(ServerSentEvent.data(try encoder.encode(PillarHTTPError(error).body)))
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// Azure's streamed filter results: the piece that closes each checked stretch carries the results for the
    /// stretch's text, as Azure annotates each segment it has filtered.
    static func annotate(_ pieces: [ChatCompletionChunk], with azure: AzureContentFilterResults) -> [ChatCompletionChunk] {
        let text = pieces.map(\.contentDelta).joined()
        guard !text.isEmpty, var closing = pieces.last, !closing.choices.isEmpty,
            let results = azure.answer(text)
        else { return pieces }
        closing.choices[0].extra["content_filter_results"] = results
        return pieces.dropLast() + [closing]
    }
}

/// Why Pillar itself ended a call that the upstream was serving (an answer stopped by the content filter): the
/// turn is then recorded as failed with this code, not as cancelled.
/// Whichever comes first, the stop or the record, the turn ends up failed with the reason.
final class TurnStop: Sendable {
    private struct State {
        var reason: String?
        var recorded: (id: String, tenant: String, turns: any TurnRepository)?
    }
    private let state = Mutex(State())

    func stop(_ reason: String) async {
        let recorded = state.withLock { state -> (id: String, tenant: String, turns: any TurnRepository)? in
            guard state.reason == nil else { return nil }
            state.reason = reason
            return state.recorded
        }
        // The upstream had finished and its turn was written as it ended: correct it.
        if let recorded { await Self.markFailed(id: recorded.id, tenant: recorded.tenant, turns: recorded.turns, reason: reason) }
    }

    /// From a task of its own: the caller is often a stream's task that its reader cancelled by going away, and a
    /// cancelled task's database write is refused, which would lose the correction.
    private static func markFailed(id: String, tenant: String, turns: any TurnRepository, reason: String) async {
        try? await Task { try await turns.markTurnFailed(id: id, tenant: tenant, errorCode: reason) }.value
    }

    var reason: String? { state.withLock { $0.reason } }

    /// After the turn was written (with `writtenReason`, nil if it was not stopped then): a stop that came in the
    /// meantime corrects it now, and a later one will.
    func didRecord(id: String, tenant: String, turns: any TurnRepository, writtenReason: String?) async {
        let missed = state.withLock { state -> String? in
            state.recorded = (id, tenant, turns)
            return writtenReason == nil ? state.reason : nil
        }
        if let missed { await Self.markFailed(id: id, tenant: tenant, turns: turns, reason: missed) }
    }
}

/// Writes the turn record when a call ends, however it ends.
struct TurnRecorder: Sendable {
    let turns: any TurnRepository
    let principal: Principal
    let model: String
    let streamed: Bool
    let price: ModelPrice?
    let traceID: String?
    let settlement: Settlement
    let logger: Logger
    var stop: TurnStop?

    @Sendable func record(_ outcome: ModelGateway.Outcome) async {
        let id = "turn_" + UUID().uuidString.lowercased()
        let stopped = stop?.reason
        let status: TurnRecord.Status =
            stopped != nil
            ? .failed
            : outcome.cancelled ? .cancelled : (outcome.error == nil ? .succeeded : .failed)
        let turn = TurnRecord(
            id: id, tenant: principal.tenant, subject: principal.subject,
            model: model, deployment: outcome.deployment, status: status,
            errorCode: stopped ?? outcome.error.map { ($0 as? PillarError)?.code ?? "internal_error" }, streamed: streamed,
            promptTokens: outcome.usage?.promptTokens ?? 0, completionTokens: outcome.usage?.completionTokens ?? 0,
            usageEstimated: outcome.usage != nil && !outcome.usageReported, attempts: outcome.attempts,
            costUSD: outcome.usage.flatMap { usage in price.map { $0.cost(of: usage) } },
            latencyMs: outcome.duration.seconds * 1000, timeToFirstTokenMs: outcome.timeToFirstToken.map { $0.seconds * 1000 },
            traceID: traceID, createdAt: Date().timeIntervalSince1970)
        let attempts = outcome.interrupted.map { attempt in
            TurnRecord(
                id: "turn_" + UUID().uuidString.lowercased(), tenant: principal.tenant, subject: principal.subject,
                model: model, deployment: attempt.deployment, status: .failed,
                errorCode: attempt.error.asPillarError.code, streamed: streamed,
                promptTokens: attempt.usage.promptTokens, completionTokens: attempt.usage.completionTokens,
                usageEstimated: true, costUSD: price.map { $0.cost(of: attempt.usage) },
                latencyMs: attempt.duration.seconds * 1000,
                timeToFirstTokenMs: nil, traceID: traceID, createdAt: attempt.endedAt.timeIntervalSince1970,
                attemptOf: id)
        }
        // Interrupted attempts were spent too: they settle with the answer, from the rows that record them.
        let rows = attempts + [turn]
        await settlement.settle(
            usedTokens: rows.reduce(0) { $0 + $1.promptTokens + $1.completionTokens },
            usedCost: rows.reduce(0) { $0 + ($1.costUSD ?? 0) })
        do {
            // A call that was cancelled still happened and may have cost tokens: its record must not be lost to
            // the cancellation, so it is written from a task of its own.
            let turns = self.turns
            try await Task {
                for attempt in attempts { try await turns.recordTurn(attempt) }
                try await turns.recordTurn(turn)
            }.value
            await stop?.didRecord(id: id, tenant: principal.tenant, turns: turns, writtenReason: stopped)
        } catch {
            logger.error("turn could not be recorded", metadata: ["error": "\(error)"])
        }
        logger.info(
            "turn",
            metadata: [
                "model": "\(model)", "deployment": "\(outcome.deployment ?? "-")", "status": "\(status.rawValue)",
                "prompt_tokens": "\(turn.promptTokens)", "completion_tokens": "\(turn.completionTokens)",
                "latency_ms": "\(Int(turn.latencyMs))",
            ])
    }
}

enum ServerSentEvent {
    static func data(_ json: Data) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("data: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }

    static let done = ByteBuffer(string: "data: [DONE]\n\n")
}

enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }

    /// For values whose Swift names are camelCase throughout (monitoring's states and decisions): keys in
    /// snake_case and dates as seconds since 1970, like the rest of the API.
    static func snakeCased(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

extension HTTPField.Name {
    static let traceID = Self("x-trace-id")!
    static let deployment = Self("x-pillar-deployment")!
}

/// Settles an admission reservation exactly once, whichever way the call ends.
final class Settlement: Sendable {
    let admission: AdmissionControl?
    private let reservation: Mutex<AdmissionControl.Reservation?>
    /// The model's price, for what a continuation adds in dollars.
    let price: ModelPrice?

    /// What the reservation left for the completion when the request set no max_tokens.
    let completionAllowance: Int?

    init(admission: AdmissionControl?, reservation: AdmissionControl.Reservation?, price: ModelPrice? = nil) {
        self.admission = admission
        self.reservation = Mutex(reservation)
        self.price = price
        self.completionAllowance = reservation?.completionAllowance
    }

    /// Reserves the caller's tokens, against its tenant's limits and (for an API key) the key's, before a
    /// model call.
    static func reserve(
        _ admission: AdmissionControl?, for principal: Principal, promptTokens: Int,
        maxTokens: Int?, price: ModelPrice? = nil
    ) async throws -> Settlement {
        let reservation = try await admission?.reserve(
            tenant: principal.tenant, key: principal.method == .apiKey ? principal.subject : nil,
            promptTokens: promptTokens, maxTokens: maxTokens, price: price)
        return Settlement(admission: admission, reservation: reservation, price: price)
    }

    /// The gateway's continuation permit: a stream may go on elsewhere only if the budgets cover what that
    /// adds, so a continued answer never spends past them either.
    @Sendable func extend(by extra: Usage) async -> Bool {
        guard let admission, let current = reservation.withLock({ $0 }) else { return true }
        let cost = price?.cost(of: extra) ?? 0
        guard let grown = await admission.extend(current, tokens: extra.totalTokens, cost: cost) else { return false }
        // The gateway asks only while the stream runs, and the turn settles only once it ended, so the
        // reservation cannot have been settled in between.
        reservation.withLock { $0 = grown }
        return true
    }

    func settle(usedTokens: Int, usedCost: Double = 0) async {
        guard
            let reservation = reservation.withLock({ value -> AdmissionControl.Reservation? in
                defer { value = nil }
                return value
            }), let admission
        else { return }
        await admission.settle(reservation, usedTokens: usedTokens, usedCost: usedCost)
    }
}
