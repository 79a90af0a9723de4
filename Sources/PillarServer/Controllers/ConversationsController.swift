import Foundation
import Hummingbird
import PillarCore

/// A user's own conversations: list, read, rename, delete. Every call is bound to the caller, so another
/// user's conversation answers 404 exactly like one that does not exist.
struct ConversationsController: Sendable {
    let conversations: any ConversationRepository
    let redaction: StorageRedaction
    let bodyReader: RequestBodyReader

    static let maxTitleCharacters = 200

    struct ConversationView: Encodable {
        var id: String
        var title: String
        var createdAt: Double
        var updatedAt: Double
        var messageCount: Int
        var messages: [MessageView]?

        init(_ record: ConversationRecord, messages: [ConversationMessage]? = nil) {
            id = record.id
            title = record.title
            createdAt = record.createdAt
            updatedAt = record.updatedAt
            messageCount = record.messageCount
            self.messages = messages?.map(MessageView.init)
        }

        enum CodingKeys: String, CodingKey {
            case id, title, messages
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case messageCount = "message_count"
        }
    }

    struct MessageView: Encodable {
        var id: String
        var role: String
        var content: String
        var citations: [Citation]
        var traceID: String?
        var createdAt: Double

        init(_ message: ConversationMessage) {
            id = message.id
            role = message.role.rawValue
            content = message.content
            citations = message.citations
            traceID = message.traceID
            createdAt = message.createdAt
        }

        enum CodingKeys: String, CodingKey {
            case id, role, content, citations
            case traceID = "trace_id"
            case createdAt = "created_at"
        }
    }

    struct Rename: Decodable {
        var title: String
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("conversations", use: list)
        group.get("conversations/{id}", use: read)
        group.patch("conversations/{id}", use: rename)
        group.delete("conversations/{id}", use: delete)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = try PageRequest(request)
        let records = try await conversations.listConversations(
            tenant: context.principal.tenant, subject: context.principal.subject,
            after: page.after, limit: page.fetchLimit)
        return try JSONResponse.make(page.page(fetched: records.map { ConversationView($0) }))
    }

    @Sendable func read(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let record = try await owned(request, context: context)
        let messages = try await conversations.messages(
            conversation: record.id, tenant: record.tenant, subject: record.subject,
            limit: 10_000)
        return try JSONResponse.make(ConversationView(record, messages: messages))
    }

    @Sendable func rename(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let record = try await owned(request, context: context)
        let title = try await bodyReader.decode(Rename.self, from: request).title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= Self.maxTitleCharacters, !title.contains(where: \.isNewline) else {
            throw PillarError.invalidRequest("title must be 1-\(Self.maxTitleCharacters) characters on one line", param: "title")
        }
        guard
            let renamed = try await conversations.renameConversation(
                id: record.id, tenant: record.tenant, subject: record.subject,
                title: redaction.clean(title, tenant: record.tenant))
        else {
            throw PillarError.notFound("There is no conversation '\(record.id)'.")
        }
        return try JSONResponse.make(ConversationView(renamed))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard
            try await conversations.deleteConversation(
                id: id, tenant: context.principal.tenant,
                subject: context.principal.subject)
        else {
            throw PillarError.notFound("There is no conversation '\(id.prefix(80))'.")
        }
        return Response(status: .noContent)
    }

    private func owned(_ request: Request, context: AuthenticatedContext) async throws -> ConversationRecord {
        let id = try context.parameters.require("id")
        guard
            let record = try await conversations.conversation(
                id: id, tenant: context.principal.tenant,
                subject: context.principal.subject)
        else {
            throw PillarError.notFound("There is no conversation '\(id.prefix(80))'.")
        }
        return record
    }
}
