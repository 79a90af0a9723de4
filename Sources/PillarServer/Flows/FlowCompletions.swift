import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import PillarCore
import PillarFlows

/// A flow served on the OpenAI-compatible route: `model: "pillar:rag"` asks the `rag` flow. The last user
/// message is the question and the messages before it the history. Citations follow Azure OpenAI's "on your
/// data" shape (`message.context.citations`, in the first chunk's `delta.context` when streaming), numbered as
/// the answer's `[n]` markers; `pillar` carries the trace id, the flow and prompt versions, and the markers
/// the answer cited.
struct FlowCompletions: Sendable {
    static let modelPrefix = "pillar:"
    let service: FlowService

    /// `azure`, on the Azure OpenAI routes: citations in Azure's field names and the prompt's filter results.
    func respond(
        to body: ChatCompletionRequest, request: Request, principal: Principal,
        azure: AzureContentFilterResults? = nil
    ) async throws -> Response {
        let azureShape = azure != nil
        let name = String(body.model.dropFirst(Self.modelPrefix.count))
        guard let lastUser = body.messages.lastIndex(where: { $0.role == "user" }),
            let text = body.messages[lastUser].content?.text.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        else {
            throw PillarError.invalidRequest("A flow needs a last user message with text: the question.", param: "messages")
        }
        let label = request.headers[.pillarLabel]
        if let label { try LibraryReference.validate(label: label) }
        let firstUser = body.messages.first { $0.role == "user" }?.content?.text ?? text
        // A canary's choice sticks to the conversation: the caller's id for it, else its first message.
        let sticky =
            request.headers[.pillarConversation] ?? body.user
            ?? SHA256.hash(data: Data(firstUser.utf8)).hexString
        let question = FlowService.Question(
            flow: name, label: label, text: text, history: Array(body.messages[..<lastUser]),
            principal: principal, conversationID: nil, stickyKey: sticky)
        let flow = try await service.resolve(question)
        var headers: HTTPFields = [:]
        if let telemetry = TraceContext.currentTraceID() { headers[.traceID] = telemetry }
        let id = "chatcmpl-" + question.traceID
        let created = Int(Date().timeIntervalSince1970)
        guard body.isStreaming else {
            let answer = try await service.answer(question, flow: flow, streaming: nil)
            let message = ChatMessage(
                role: "assistant", content: answer.answer,
                extra: ["context": Self.context(sources: answer.sources, query: answer.standaloneQuery, azure: azureShape)])
            var completion = ChatCompletion(
                id: id, created: created, model: body.model,
                choices: [.init(index: 0, message: message, finishReason: "stop")],
                usage: answer.usage, extra: ["pillar": try Self.summary(answer)])
            if let azure {
                completion.extra["prompt_filter_results"] = azure.promptFilterResults
                if let results = azure.answer(answer.answer) { completion.choices[0].extra["content_filter_results"] = results }
            }
            return try JSONResponse.make(completion, headers: headers)
        }
        let stream = try await FlowEventStream.start(service, question: question, flow: flow)
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let includeUsage = body.streamOptions?.includeUsage ?? false
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let encoder = JSONEncoder()
                func send(
                    _ delta: ChatCompletionChunk.Delta, finish: String? = nil, usage: Usage? = nil,
                    extra: [String: JSONValue] = [:]
                ) async throws {
                    let chunk = ChatCompletionChunk(
                        id: id, created: created, model: body.model,
                        choices: [.init(index: 0, delta: delta, finishReason: finish)],
                        usage: usage, extra: extra)
                    try await writer.write(ServerSentEvent.data(try encoder.encode(chunk)))
                }
                var started = false
                do {
                    if let azure { try await writer.write(ServerSentEvent.data(try encoder.encode(azure.promptChunk()))) }
                    for try await event in stream.events {
                        switch event {
                        case .started(let early):
                            started = true
                            try await send(
                                .init(
                                    role: "assistant", content: "",
                                    extra: [
                                        "context": Self.context(
                                            sources: FlowService.citations(early["sources"]),
                                            query: early["standalone_query"]?.stringValue, azure: azureShape)
                                    ]))
                        case .delta(let text):
                            try await send(.init(content: text))
                        case .finished(let answer):
                            if !started {
                                try await send(
                                    .init(
                                        role: "assistant", content: answer.answer,
                                        extra: [
                                            "context": Self.context(
                                                sources: answer.sources, query: answer.standaloneQuery, azure: azureShape)
                                        ]))
                            }
                            try await send(
                                .init(), finish: "stop", usage: includeUsage ? answer.usage : nil,
                                extra: ["pillar": try Self.summary(answer)])
                        }
                    }
                    try await writer.write(ServerSentEvent.done)
                } catch is CancellationError {
                    stream.task.cancel()
                } catch {
                    // The answer stopped after it started: say so plainly, never just stop.
                    stream.task.cancel()
                    let failure =
                        error as? PillarError
                        ?? PillarError(.internalError, code: "internal_error", message: "The answer failed.")
                    try await writer.write(ServerSentEvent.data(try encoder.encode(PillarHTTPError(failure).body)))
                }
                try await writer.finish(nil)
            })
    }

    /// Azure's "on your data" context. Pillar's own routes give each citation all its fields; the Azure routes give
    /// Azure's (`content`, `title`, `url`, `filepath`, `chunk_id`) with the document's id beside them.
    static func context(sources: [Citation], query: String?, azure: Bool = false) -> JSONValue {
        let citations: JSONValue =
            azure
            ? .array(
                sources.map { source in
                    .object([
                        "content": .string(source.text), "title": source.title.map(JSONValue.string) ?? .null,
                        "url": .string(source.sourceURI), "filepath": .string(source.sourceURI),
                        "chunk_id": .string(String(source.chunkID)), "document_id": .string(source.documentID),
                    ])
                })
            : (try? JSONValue(encoding: sources)) ?? .array([])
        var context: [String: JSONValue] = ["citations": citations]
        if let query { context["intent"] = .string(query) }
        return .object(context)
    }

    static func summary(_ answer: FlowService.Answer) throws -> JSONValue {
        var summary: [String: JSONValue] = [
            "trace_id": .string(answer.traceID),
            "flow": try JSONValue(encoding: answer.flow),
            "cited": .array(answer.citations.map { .number(Double($0.marker)) }),
            "grounded": .bool(answer.grounded),
        ]
        if let prompt = answer.prompt { summary["prompt"] = try JSONValue(encoding: prompt) }
        return .object(summary)
    }
}

extension HTTPField.Name {
    static let pillarLabel = Self("x-pillar-label")!
    static let pillarConversation = Self("x-pillar-conversation-id")!
}
