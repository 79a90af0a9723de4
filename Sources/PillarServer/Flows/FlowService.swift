import Crypto
import Foundation
import Logging
import PillarCore
import PillarFlows
import PillarGateway
import Synchronization

/// Runs a library flow for one question and keeps its trace: the piece both chat routes share. A flow's
/// `answer`, `sources` and `standalone_query` outputs (when it has them) become the answer, its citations and
/// the query the trace shows.
struct FlowService: Sendable {
    let flows: VersionedLibrary<CompiledFlow>
    let runner: FlowRunner
    let traces: any FlowTraceRepository
    let historyTokens: Int
    let redaction: StorageRedaction
    let logger: Logger
    /// Production monitoring of users' answers; nil for evaluation runs, which score themselves.
    var quality: QualityReporter? = nil

    struct Question: Sendable {
        var flow: String
        var label: String?
        var text: String
        var history: [ChatMessage]
        var principal: Principal
        var conversationID: String?
        var stickyKey: String
        /// The answer's id, known before it starts so a stream can name it up front.
        var traceID: String = RandomHex.make(bytes: 16)
        /// What an evaluation pins: prompt versions by name, and one model for every llm node.
        var promptOverrides: [String: LibraryReference] = [:]
        var modelOverride: String?
    }

    struct Answer: Sendable, Encodable {
        var traceID: String
        var conversationID: String?
        var answer: String
        /// The sources the answer cites, in order of first citation.
        var citations: [Citation]
        /// Every source the answer was given, numbered as its markers.
        var sources: [Citation]
        var standaloneQuery: String?
        var grounded: Bool
        var prompt: FlowTrace.ArtifactUse?
        var flow: FlowTrace.ArtifactUse
        var model: String?
        var deployment: String?
        var usage: Usage
        var outputs: [String: JSONValue]
        /// Every prompt version, model and deployment the flow's llm nodes used (for evaluations; not sent).
        var promptsUsed: [FlowTrace.ArtifactUse] = []
        var modelsUsed: [String] = []
        var deploymentsUsed: [String] = []

        enum CodingKeys: String, CodingKey {
            case answer, citations, sources, grounded, prompt, flow, model, deployment, usage, outputs
            case traceID = "trace_id"
            case conversationID = "conversation_id"
            case standaloneQuery = "standalone_query"
        }
    }

    /// The flow a question names, resolved now so that an unknown flow or label fails before anything streams.
    func resolve(_ question: Question) async throws -> VersionedLibrary<CompiledFlow>.Resolved {
        try await flows.resolve(
            try LibraryReference(parsing: question.flow), tenant: question.principal.tenant,
            runLabel: question.label, stickyKey: question.stickyKey)
    }

    func answer(
        _ question: Question, flow: VersionedLibrary<CompiledFlow>.Resolved,
        streaming: FlowRunner.Streaming?
    ) async throws -> Answer {
        let traceID = question.traceID
        let context = FlowContext(
            principal: question.principal,
            scope: AccessScope(tenant: question.principal.tenant, groups: question.principal.groups),
            stickyKey: question.stickyKey, label: question.label,
            promptOverrides: question.promptOverrides, modelOverride: question.modelOverride)
        // The question is embedded for retrieval before any llm node runs: it meets the tenant's policy on
        // personal data reaching models first (redacted, or refused).
        let questionText = try redaction.prepareForModel(question.text, tenant: question.principal.tenant, param: "message")
        let inputs: [String: JSONValue] = ["question": .string(questionText), "history": .array(window(question.history))]
        let started = ContinuousClock.now
        let firstDelta = FirstDeltaClock()
        let measured = streaming.map { streaming in
            FlowRunner.Streaming(
                onStreamStart: streaming.onStreamStart,
                onDelta: { delta in
                    firstDelta.mark(since: started)
                    try await streaming.onDelta(delta)
                })
        }
        let outcome = await runner.run(flow.value, use: flow.use, inputs: inputs, context: context, streaming: measured)

        var failure = outcome.error
        var text = ""
        switch outcome.outputs["answer"] {
        case .string(let answer)?: text = answer
        case nil, .null?:
            // A flow that ends without an answer is a broken flow, not an empty answer.
            if failure == nil {
                failure = PillarError(
                    .internalError, code: "flow_without_answer",
                    message: "The flow '\(flow.use.name)' produced no answer: its `answer` output is missing or null.")
            }
        case let other?: text = other.interpolatedText
        }
        let sources = Self.citations(outcome.outputs["sources"])
        let cited = CitationMarkers.citations(in: text, sources: sources)
        let llmNodes = outcome.nodes.filter { $0.kind == "llm" && $0.status == .succeeded }
        // The answer came from the llm node its `answer` output names, when one of those ran (not, say, from
        // the condense step when the flow answered from a template).
        let answerRoots = Set(flow.value.spec.outputs.first { $0.name == "answer" }?.value.references.map(\.root) ?? [])
        let answering = llmNodes.first { answerRoots.contains($0.name) }
        var usage = Usage(promptTokens: 0, completionTokens: 0)
        for node in llmNodes {
            usage = Usage(
                promptTokens: usage.promptTokens + (node.usage?.promptTokens ?? 0),
                completionTokens: usage.completionTokens + (node.usage?.completionTokens ?? 0))
        }
        let standalone: String? = {
            if case .string(let query)? = outcome.outputs["standalone_query"] { return query }
            return nil
        }()
        // The trace is stored: the user's words in it lose their personal data first.
        let tenant = question.principal.tenant
        let trace = FlowTrace(
            id: traceID, telemetryTraceID: TraceContext.currentTraceID(), tenant: question.principal.tenant,
            subject: question.principal.subject,
            conversationID: question.conversationID, flow: flow.use, status: failure == nil ? .succeeded : .failed,
            errorCode: failure.map { ($0 as? PillarError)?.code ?? "internal_error" },
            standaloneQuery: standalone.map { redaction.clean($0, tenant: tenant) },
            retrieved: outcome.retrieved, citedMarkers: cited.map(\.marker),
            nodes: outcome.nodes.sorted { $0.startMs < $1.startMs },
            guards: outcome.guards, usage: usage, durationMs: outcome.durationMs,
            generationMs: llmNodes.reduce(0) { $0 + ($1.generationMs ?? 0) }, createdAt: Date().timeIntervalSince1970)
        do {
            try await traces.saveTrace(trace)
        } catch {
            logger.error("trace could not be saved", metadata: ["error": "\(error)"])
        }
        quality?.report(trace: trace, question: questionText, answer: text, sources: sources, ttftMs: firstDelta.milliseconds)
        if let failure { throw failure }
        return Answer(
            traceID: traceID, conversationID: question.conversationID, answer: text, citations: cited,
            sources: sources, standaloneQuery: standalone, grounded: !sources.isEmpty, prompt: answering?.prompt,
            flow: flow.use, model: answering?.model, deployment: answering?.deployment, usage: usage,
            outputs: outcome.outputs, promptsUsed: llmNodes.compactMap(\.prompt),
            modelsUsed: llmNodes.compactMap(\.model), deploymentsUsed: llmNodes.compactMap(\.deployment))
    }

    /// When a streamed answer's first words went out, for the time-to-first-token signal.
    final class FirstDeltaClock: Sendable {
        private let elapsed = Mutex<Duration?>(nil)

        func mark(since start: ContinuousClock.Instant) {
            elapsed.withLock { if $0 == nil { $0 = ContinuousClock.now - start } }
        }

        var milliseconds: Double? {
            elapsed.withLock { $0.map { $0.seconds * 1000 } }
        }
    }

    /// The newest turns that fit the history window, oldest first.
    func window(_ history: [ChatMessage]) -> [JSONValue] {
        var budget = historyTokens
        var kept: [JSONValue] = []
        for message in history.reversed() where message.role == "user" || message.role == "assistant" {
            let content = message.content?.text ?? ""
            let cost = TokenEstimate.tokens(in: content) + 4
            guard cost <= budget else { break }
            budget -= cost
            kept.append(.object(["role": .string(message.role), "content": .string(content)]))
        }
        return kept.reversed()
    }

    static func citations(_ value: JSONValue?) -> [Citation] {
        guard case .array(let items)? = value else { return [] }
        let decoder = JSONDecoder()
        return items.compactMap { item in
            guard let data = try? JSONEncoder().encode(item) else { return nil }
            return try? decoder.decode(Citation.self, from: data)
        }
    }
}
