import Foundation
import Hummingbird
import PillarCore
import PillarStore

/// Feedback on answers (with the conversation only for users who opted in), the user's consent, and the
/// erasure of one user's data by the tenant's admins.
struct DataProtectionController: Sendable {
    let store: any DataProtectionRepository
    let traces: any FlowTraceRepository
    let conversations: any ConversationRepository
    let audit: any AuditLog
    let redaction: StorageRedaction
    let bodyReader: RequestBodyReader
    /// Production monitoring's samples: a rating marks its answer's thumbs-down signal.
    let quality: any QualityRepository

    static let maxCommentCharacters = 4_000

    struct FeedbackBody: Decodable {
        var traceID: String
        var rating: Int?
        var thumbs: String?
        var comment: String?
        var includeConversation: Bool?

        enum CodingKeys: String, CodingKey {
            case rating, thumbs, comment
            case traceID = "trace_id"
            case includeConversation = "include_conversation"
        }
    }

    struct FeedbackSaved: Encodable {
        var id: String
        var conversationIncluded: Bool
        var reason: String?

        enum CodingKeys: String, CodingKey {
            case id, reason
            case conversationIncluded = "conversation_included"
        }
    }

    struct Consent: Codable {
        var shareConversations: Bool

        enum CodingKeys: String, CodingKey {
            case shareConversations = "share_conversations"
        }
    }

    func addRoutes(user: RouterGroup<AuthenticatedContext>, admin: RouterGroup<AdminContext>) {
        user.post("feedback", use: feedback)
        user.get("me/consent", use: readConsent)
        user.put("me/consent", use: writeConsent)
        admin.get("feedback", use: listFeedback)
        admin.post("subjects/{subject}/erasure", use: erase)
    }

    @Sendable func feedback(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let body = try await bodyReader.decode(FeedbackBody.self, from: request)
        let principal = context.principal
        let rating: Int
        switch (body.rating, body.thumbs) {
        case (let value?, nil) where (1...5).contains(value): rating = value
        case (nil, "up"?): rating = 5
        case (nil, "down"?): rating = 1
        default: throw PillarError.invalidRequest("give rating 1-5 or thumbs up|down", param: "rating")
        }
        if let comment = body.comment, comment.count > Self.maxCommentCharacters {
            throw PillarError.invalidRequest("comment must be at most \(Self.maxCommentCharacters) characters", param: "comment")
        }
        // Only the answer's own user rates it; another's trace is as good as absent.
        guard let trace = try await traces.trace(id: body.traceID, tenant: principal.tenant), trace.subject == principal.subject
        else {
            throw PillarError.notFound("There is no answer '\(body.traceID.prefix(80))'.")
        }
        var conversation: [ConversationMessage]?
        var reason: String?
        if body.includeConversation == true {
            if !(try await store.consent(tenant: principal.tenant, subject: principal.subject)) {
                reason = "You have not agreed to share conversations (PUT /v1/me/consent); only the rating and comment were kept."
            } else if let id = trace.conversationID {
                let messages = try await conversations.messages(
                    conversation: id, tenant: principal.tenant,
                    subject: principal.subject, limit: 200)
                conversation = Array(messages.prefix { $0.traceID != trace.id } + messages.filter { $0.traceID == trace.id })
            } else {
                reason = "The answer was not part of a stored conversation."
            }
        }
        let record = FeedbackRecord(
            id: "fb_" + RandomHex.make(bytes: 12), tenant: principal.tenant, subject: principal.subject, traceID: trace.id,
            rating: rating, comment: body.comment.map { redaction.clean($0, tenant: principal.tenant) },
            conversation: conversation, createdAt: Date().timeIntervalSince1970)
        try await store.saveFeedback(record)
        // One or two stars count as thumbs down; the newest rating of an answer is the one that counts.
        _ = try await quality.setThumbsDown(traceID: trace.id, tenant: principal.tenant, thumbsDown: rating <= 2)
        return try JSONResponse.make(
            FeedbackSaved(id: record.id, conversationIncluded: conversation != nil, reason: reason),
            status: .created)
    }

    @Sendable func readConsent(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try JSONResponse.make(
            Consent(
                shareConversations: try await store.consent(
                    tenant: context.principal.tenant,
                    subject: context.principal.subject)))
    }

    @Sendable func writeConsent(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let consent = try await bodyReader.decode(Consent.self, from: request)
        try await store.setConsent(
            tenant: context.principal.tenant, subject: context.principal.subject,
            shareConversations: consent.shareConversations)
        return try JSONResponse.make(consent)
    }

    @Sendable func listFeedback(_ request: Request, context: AdminContext) async throws -> Response {
        let page = try PageRequest(request)
        let records = try await store.listFeedback(tenant: context.principal.tenant, after: page.after, limit: page.fetchLimit)
        return try JSONResponse.make(page.page(fetched: records))
    }

    /// `POST /v1/admin/subjects/{subject}/erasure`: an action, not a DELETE, because it answers with what it
    /// removed (the counts the audit record keeps too). It removes every trace of one user's data in the admin's tenant.
    @Sendable func erase(_ request: Request, context: AdminContext) async throws -> Response {
        let subject = try context.parameters.require("subject")
        let counts = try await Erasure.erase(
            subject: subject, tenant: context.principal.tenant, store: store, audit: audit,
            cipher: redaction.cipher, actor: context.principal.subject)
        return try JSONResponse.make(counts)
    }
}

/// Erasure as the API and `pillar erase` both do it: remove, then record (under a fingerprint of the subject).
public enum Erasure {
    public static func erase(
        subject: String, tenant: String, store: any DataProtectionRepository, audit: any AuditLog,
        cipher: FieldCipher, actor: String
    ) async throws -> RemovalCounts {
        guard !subject.isEmpty, subject.count <= 512 else {
            throw PillarError.invalidRequest("subject must be 1-512 characters", param: "subject")
        }
        let counts = try await store.erase(tenant: tenant, subject: subject)
        try await audit.append(
            tenant: tenant, actor: actor, action: "subject.erase",
            target: SubjectFingerprint.of(subject, tenant: tenant, cipher: cipher), details: counts.auditDetails)
        return counts
    }
}
