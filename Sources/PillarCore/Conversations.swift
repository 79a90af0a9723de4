/// A passage an answer cites: the `[marker]` in the answer's text and the chunk it stands for.
public struct Citation: Sendable, Hashable, Codable {
    public var marker: Int
    public var chunkID: Int64
    public var documentID: String
    public var documentVersion: Int
    public var title: String?
    public var sourceURI: String
    public var headingPath: [String]
    public var start: Int
    public var end: Int
    public var text: String
    public var score: Double

    public init(
        marker: Int, chunkID: Int64, documentID: String, documentVersion: Int, title: String?,
        sourceURI: String, headingPath: [String], start: Int, end: Int, text: String, score: Double
    ) {
        self.marker = marker
        self.chunkID = chunkID
        self.documentID = documentID
        self.documentVersion = documentVersion
        self.title = title
        self.sourceURI = sourceURI
        self.headingPath = headingPath
        self.start = start
        self.end = end
        self.text = text
        self.score = score
    }

    enum CodingKeys: String, CodingKey {
        case marker, title, start, end, text, score
        case chunkID = "chunk_id"
        case documentID = "document_id"
        case documentVersion = "document_version"
        case sourceURI = "source_uri"
        case headingPath = "heading_path"
    }
}

/// A conversation belongs to one user of one tenant; nobody else reads it.
public struct ConversationRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenant: String
    public var subject: String
    public var title: String
    public var createdAt: Double
    public var updatedAt: Double
    public var messageCount: Int

    public init(
        id: String, tenant: String, subject: String, title: String, createdAt: Double, updatedAt: Double,
        messageCount: Int
    ) {
        self.id = id
        self.tenant = tenant
        self.subject = subject
        self.title = title
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.messageCount = messageCount
    }
}

public struct ConversationMessage: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        case user
        case assistant
    }

    public var id: String
    public var role: Role
    public var content: String
    public var citations: [Citation]
    public var traceID: String?
    public var createdAt: Double

    public init(
        id: String, role: Role, content: String, citations: [Citation] = [], traceID: String? = nil,
        createdAt: Double
    ) {
        self.id = id
        self.role = role
        self.content = content
        self.citations = citations
        self.traceID = traceID
        self.createdAt = createdAt
    }

    /// The API's keys. The feedback table keeps shared conversations in their earlier, camelCase shape, with an
    /// encoding of its own (`SQLiteDataProtectionRepository`), so rows written before this change still read.
    enum CodingKeys: String, CodingKey {
        case id, role, content, citations
        case traceID = "trace_id"
        case createdAt = "created_at"
    }
}

/// Every call names the owner (tenant and subject): a conversation of another user is as good as absent.
public protocol ConversationRepository: Sendable {
    func createConversation(tenant: String, subject: String, title: String) async throws -> ConversationRecord
    func conversation(id: String, tenant: String, subject: String) async throws -> ConversationRecord?
    /// The most recently updated first; `after` (a conversation's id) starts past that one.
    func listConversations(tenant: String, subject: String, after: String?, limit: Int) async throws -> [ConversationRecord]
    /// The newest `limit` messages, oldest first.
    func messages(conversation: String, tenant: String, subject: String, limit: Int) async throws -> [ConversationMessage]
    /// Appends messages in order; false when the conversation is not the owner's (or is gone).
    func appendMessages(
        _ messages: [ConversationMessage], conversation: String, tenant: String,
        subject: String
    ) async throws -> Bool
    func renameConversation(id: String, tenant: String, subject: String, title: String) async throws -> ConversationRecord?
    func deleteConversation(id: String, tenant: String, subject: String) async throws -> Bool
}
