import Foundation
import HTTPTypes
import Hummingbird
import PillarCore
import PillarFlows

/// Pillar's own chat API, `POST /v1/chat`: one message in a server-kept conversation, answered by a flow
/// (the shipped `rag` unless another is named), with citations as structured data. Streams as named
/// server-sent events: `context`, then `delta`s, then `done` with the whole answer, or `error`.
struct ChatController: Sendable {
    let service: FlowService
    let conversations: any ConversationRepository
    let redaction: StorageRedaction
    let bodyReader: RequestBodyReader

    static let maxMessageCharacters = 32_000
    /// Stored turns read back as history; the flow's token window cuts further.
    static let historyMessages = 40

    struct ChatRequest: Decodable {
        var message: String
        var conversationID: String?
        var flow: String?
        var label: String?
        var stream: Bool?

        enum CodingKeys: String, CodingKey {
            case message, flow, label, stream
            case conversationID = "conversation_id"
        }
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("chat", use: chat)
    }

    @Sendable func chat(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let body = try await bodyReader.decode(ChatRequest.self, from: request)
        let message = body.message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !message.isEmpty else { throw PillarError.invalidRequest("message must not be empty", param: "message") }
        guard message.count <= Self.maxMessageCharacters else {
            throw PillarError.invalidRequest("message must be at most \(Self.maxMessageCharacters) characters", param: "message")
        }
        if let label = body.label { try LibraryReference.validate(label: label) }
        let principal = context.principal

        let conversation: ConversationRecord
        var history: [ChatMessage] = []
        if let id = body.conversationID {
            guard let found = try await conversations.conversation(id: id, tenant: principal.tenant, subject: principal.subject)
            else {
                throw PillarError.notFound("There is no conversation '\(id.prefix(80))'.")
            }
            conversation = found
            history = try await conversations.messages(
                conversation: id, tenant: principal.tenant, subject: principal.subject,
                limit: Self.historyMessages
            )
            .map { ChatMessage(role: $0.role.rawValue, content: $0.content) }
        } else {
            conversation = try await conversations.createConversation(
                tenant: principal.tenant, subject: principal.subject,
                title: Self.title(for: redaction.clean(message, tenant: principal.tenant)))
        }
        let question = FlowService.Question(
            flow: body.flow ?? "rag", label: body.label, text: message, history: history,
            principal: principal, conversationID: conversation.id, stickyKey: conversation.id)
        let startedFresh = body.conversationID == nil
        do {
            let flow = try await service.resolve(question)
            guard body.stream ?? false else {
                let answer = try await service.answer(question, flow: flow, streaming: nil)
                try await remember(message, answer: answer, in: conversation, principal: principal)
                return try JSONResponse.make(answer)
            }
            let stream = try await FlowEventStream.start(service, question: question, flow: flow)
            return streamed(
                stream, traceID: question.traceID, message: message, conversation: conversation,
                startedFresh: startedFresh, principal: principal)
        } catch {
            // A conversation this request opened and that holds nothing is not worth keeping. From a task of its own:
            // a request its client abandoned is cancelled, and the store refuses a cancelled task's write.
            if startedFresh {
                let conversations = self.conversations
                _ = try? await Task {
                    try await conversations.deleteConversation(
                        id: conversation.id, tenant: principal.tenant, subject: principal.subject)
                }.value
            }
            throw error
        }
    }

    private func streamed(
        _ stream: FlowEventStream, traceID: String, message: String, conversation: ConversationRecord,
        startedFresh: Bool, principal: Principal
    ) -> Response {
        var headers: HTTPFields = [:]
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let encoder = JSONEncoder()
                var sentContext = false
                var remembered = false
                defer {
                    stream.task.cancel()
                    if startedFresh, !remembered {
                        // The answer failed or was abandoned: a conversation this request opened keeps nothing.
                        let conversations = self.conversations
                        Task {
                            _ = try? await conversations.deleteConversation(
                                id: conversation.id, tenant: principal.tenant,
                                subject: principal.subject)
                        }
                    }
                }
                do {
                    for try await event in stream.events {
                        switch event {
                        case .started(let early):
                            try await writer.write(
                                NamedEvent.make(
                                    "context",
                                    try encoder.encode(
                                        StreamContext(
                                            conversationID: conversation.id, traceID: traceID,
                                            standaloneQuery: early["standalone_query"].flatMap { $0.stringValue },
                                            sources: FlowService.citations(early["sources"])))))
                            sentContext = true
                        case .delta(let text):
                            try await writer.write(NamedEvent.make("delta", try encoder.encode(["content": text])))
                        case .finished(let answer):
                            if !sentContext {
                                try await writer.write(
                                    NamedEvent.make(
                                        "context",
                                        try encoder.encode(
                                            StreamContext(
                                                conversationID: conversation.id, traceID: answer.traceID,
                                                standaloneQuery: answer.standaloneQuery, sources: answer.sources))))
                                try await writer.write(NamedEvent.make("delta", try encoder.encode(["content": answer.answer])))
                            }
                            try await remember(message, answer: answer, in: conversation, principal: principal)
                            remembered = true
                            try await writer.write(NamedEvent.make("done", try encoder.encode(answer)))
                        }
                    }
                } catch is CancellationError {
                    // The caller went away; the deferred clean-up stops the run.
                } catch {
                    let failure =
                        error as? PillarError
                        ?? PillarError(.internalError, code: "internal_error", message: "The answer failed.")
                    try await writer.write(NamedEvent.make("error", try encoder.encode(PillarHTTPError(failure).body)))
                }
                try await writer.finish(nil)
            })
    }

    /// Stores the exchange once the answer is complete (personal data removed as the tenant's policy says); a
    /// failed answer leaves the conversation as it was.
    private func remember(
        _ message: String, answer: FlowService.Answer, in conversation: ConversationRecord,
        principal: Principal
    ) async throws {
        let now = Date().timeIntervalSince1970
        let tenant = principal.tenant
        _ = try await conversations.appendMessages(
            [
                ConversationMessage(
                    id: "msg_" + RandomHex.make(bytes: 12), role: .user,
                    content: redaction.clean(message, tenant: tenant), createdAt: now),
                ConversationMessage(
                    id: "msg_" + RandomHex.make(bytes: 12), role: .assistant,
                    content: redaction.clean(answer.answer, tenant: tenant),
                    citations: answer.citations, traceID: answer.traceID, createdAt: now),
            ], conversation: conversation.id, tenant: principal.tenant, subject: principal.subject)
    }

    /// A conversation's first title: its first message, on one line, cut at a word.
    static func title(for message: String) -> String {
        let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? message
        guard line.count > 60 else { return line }
        let cut = line.prefix(60)
        return (cut.lastIndex(of: " ").map { String(cut[..<$0]) } ?? String(cut)) + "…"
    }

    struct StreamContext: Encodable {
        var conversationID: String
        var traceID: String?
        var standaloneQuery: String?
        var sources: [Citation]

        enum CodingKeys: String, CodingKey {
            case sources
            case conversationID = "conversation_id"
            case traceID = "trace_id"
            case standaloneQuery = "standalone_query"
        }
    }
}

/// A server-sent event with a name: `event: NAME` then `data: JSON`.
enum NamedEvent {
    static func make(_ name: String, _ json: Data) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("event: \(name)\ndata: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }
}
