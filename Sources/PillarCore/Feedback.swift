/// A user's verdict on one answer. The conversation comes along only when the user has opted in.
public struct FeedbackRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenant: String
    public var subject: String
    public var traceID: String
    /// 1 (bad) to 5 (good); thumbs up and down are 5 and 1.
    public var rating: Int
    public var comment: String?
    /// The conversation up to the rated answer, when the user consented to share it.
    public var conversation: [ConversationMessage]?
    public var createdAt: Double

    public init(
        id: String, tenant: String, subject: String, traceID: String, rating: Int, comment: String?,
        conversation: [ConversationMessage]?, createdAt: Double
    ) {
        self.id = id
        self.tenant = tenant
        self.subject = subject
        self.traceID = traceID
        self.rating = rating
        self.comment = comment
        self.conversation = conversation
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenant, subject, rating, comment, conversation
        case traceID = "trace_id"
        case createdAt = "created_at"
    }
}

/// What was removed by an erasure or a retention purge.
public struct RemovalCounts: Sendable, Hashable, Codable {
    public var conversations = 0
    public var messages = 0
    public var traces = 0
    public var feedback = 0
    public var evaluationItems = 0
    public var turnsAnonymised = 0
    /// Browser sessions ended (an erased person is signed out everywhere).
    public var sessions = 0

    public init() {}

    public var total: Int { conversations + messages + traces + feedback + evaluationItems + turnsAnonymised + sessions }

    enum CodingKeys: String, CodingKey {
        case conversations, messages, traces, feedback, sessions
        case turnsAnonymised = "turns_anonymised"
        case evaluationItems = "evaluation_items"
    }
}

public protocol DataProtectionRepository: Sendable {
    func saveFeedback(_ feedback: FeedbackRecord) async throws
    /// The newest first; `after` (a feedback id) starts past that one.
    func listFeedback(tenant: String, after: String?, limit: Int) async throws -> [FeedbackRecord]
    func consent(tenant: String, subject: String) async throws -> Bool
    func setConsent(tenant: String, subject: String, shareConversations: Bool) async throws
    /// Removes every conversation, message, trace, feedback and consent of one subject, and detaches the
    /// subject from its usage records (kept, unnamed, for budgets and cost).
    func erase(tenant: String, subject: String) async throws -> RemovalCounts
    /// Removes messages, traces and feedback older than `before` (seconds since 1970), and conversations
    /// left empty.
    func purge(tenant: String, before: Double) async throws -> RemovalCounts
}

extension DataProtectionRepository {
    public func listFeedback(tenant: String, limit: Int) async throws -> [FeedbackRecord] {
        try await listFeedback(tenant: tenant, after: nil, limit: limit)
    }
}
