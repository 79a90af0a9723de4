/// A document of a tenant's grounding data, as stored: where it came from, which version of its content is
/// indexed, and who may read it. Its text lives in its chunks.
public struct DocumentRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenant: String
    /// Where the document came from (a file path, a URL, or a name the uploader gave); unique in a tenant.
    public var sourceURI: String
    public var title: String?
    public var format: String
    /// SHA-256 of the raw bytes, hex: an unchanged document is skipped on re-ingestion.
    public var contentHash: String
    /// 1 for the first content, one more each time the content changes.
    public var version: Int
    /// Groups allowed to read it; empty: every member of the tenant.
    public var aclGroups: [String]
    public var bytes: Int
    public var chunkCount: Int
    /// The embedding model its vectors came from.
    public var embeddingModel: String
    public var createdAt: Double
    public var updatedAt: Double

    public init(
        id: String, tenant: String, sourceURI: String, title: String?, format: String, contentHash: String,
        version: Int, aclGroups: [String], bytes: Int, chunkCount: Int, embeddingModel: String,
        createdAt: Double, updatedAt: Double
    ) {
        self.id = id
        self.tenant = tenant
        self.sourceURI = sourceURI
        self.title = title
        self.format = format
        self.contentHash = contentHash
        self.version = version
        self.aclGroups = aclGroups
        self.bytes = bytes
        self.chunkCount = chunkCount
        self.embeddingModel = embeddingModel
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Group names appear in tokens and ACLs: printable, no separators that could smuggle a second name.
    public static func isValidGroup(_ group: String) -> Bool {
        !group.isEmpty && group.count <= 256
            && group.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.:@/".unicodeScalars.contains($0)
            }
    }
}

/// One passage of a document, with where it sits in it and its embedding.
public struct ChunkRecord: Sendable, Hashable {
    /// Assigned by the store; nil before the chunk is saved.
    public var id: Int64?
    public var ordinal: Int
    public var text: String
    public var headingPath: [String]
    /// Offsets in the document's extracted text, in Unicode scalars, end excluded.
    public var start: Int
    public var end: Int
    public var tokenCount: Int
    public var embedding: [Float]

    public init(
        id: Int64? = nil, ordinal: Int, text: String, headingPath: [String], start: Int, end: Int,
        tokenCount: Int, embedding: [Float]
    ) {
        self.id = id
        self.ordinal = ordinal
        self.text = text
        self.headingPath = headingPath
        self.start = start
        self.end = end
        self.tokenCount = tokenCount
        self.embedding = embedding
    }
}

/// Who is reading: a search sees only the tenant's documents that are open to all or shared with one of
/// these groups.
public struct AccessScope: Sendable, Hashable {
    public var tenant: String
    public var groups: Set<String>

    public init(tenant: String, groups: some Sequence<String>) {
        self.tenant = tenant
        self.groups = Set(groups)
    }

    public func canRead(aclGroups: some Collection<String>) -> Bool {
        aclGroups.isEmpty || aclGroups.contains(where: groups.contains)
    }
}

/// A chunk found by a search, with the lineage a citation needs.
public struct ChunkHit: Sendable, Hashable, Codable {
    public var chunkID: Int64
    public var documentID: String
    public var documentVersion: Int
    public var sourceURI: String
    public var title: String?
    public var text: String
    public var headingPath: [String]
    public var ordinal: Int
    public var start: Int
    public var end: Int
    public var aclGroups: [String]

    public init(
        chunkID: Int64, documentID: String, documentVersion: Int, sourceURI: String, title: String?,
        text: String, headingPath: [String], ordinal: Int, start: Int, end: Int, aclGroups: [String]
    ) {
        self.chunkID = chunkID
        self.documentID = documentID
        self.documentVersion = documentVersion
        self.sourceURI = sourceURI
        self.title = title
        self.text = text
        self.headingPath = headingPath
        self.ordinal = ordinal
        self.start = start
        self.end = end
        self.aclGroups = aclGroups
    }
}

/// A chunk and its score in one ranking; higher is better.
public struct RankedChunk: Sendable, Hashable {
    public var id: Int64
    public var score: Double

    public init(id: Int64, score: Double) {
        self.id = id
        self.score = score
    }
}

/// One entry of a tenant's vector change log: in-process vector indexes replay it to catch up with what any
/// process (another replica, `pillar ingest`) stored.
public struct VectorChange: Sendable, Hashable {
    public enum Operation: String, Sendable, Hashable {
        case add, remove
    }

    public var sequence: Int64
    public var operation: Operation
    public var chunkID: Int64
    /// For additions whose chunk still exists: its vector and its document's ACL.
    public var embedding: [Float]?
    public var aclGroups: [String]

    public init(sequence: Int64, operation: Operation, chunkID: Int64, embedding: [Float]?, aclGroups: [String]) {
        self.sequence = sequence
        self.operation = operation
        self.chunkID = chunkID
        self.embedding = embedding
        self.aclGroups = aclGroups
    }
}

/// The document changed (or appeared, or went) since the caller read it.
public struct DocumentConflict: Error, Sendable, Hashable {
    public let documentID: String
    public init(documentID: String) { self.documentID = documentID }
}

/// The grounding data's storage: documents, chunks, the keyword index and the vector change log.
/// A tenant's index as it stands: what an evaluation run records so that runs over different indexes show.
public struct IndexSummary: Sendable, Hashable {
    public var documents: Int
    public var chunks: Int
    /// When the newest document was indexed (seconds since 1970).
    public var updatedAt: Double?

    public init(documents: Int, chunks: Int, updatedAt: Double?) {
        self.documents = documents
        self.chunks = chunks
        self.updatedAt = updatedAt
    }
}

public protocol DocumentRepository: Sendable {
    func indexSummary(tenant: String) async throws -> IndexSummary
    func document(tenant: String, id: String) async throws -> DocumentRecord?
    func document(tenant: String, sourceURI: String) async throws -> DocumentRecord?
    /// Documents by id order, after the given id, optionally only those whose source starts with a prefix.
    func listDocuments(tenant: String, sourcePrefix: String?, after: String?, limit: Int) async throws -> [DocumentRecord]
    func chunks(tenant: String, documentID: String) async throws -> [ChunkRecord]
    /// Stores a document and its chunks in one transaction. An earlier version with the same id is replaced:
    /// its chunks leave the keyword index and the vector log records their removal. `replacing` is the stored
    /// record the caller started from (nil: there was none); if the store holds anything else by now, nothing
    /// is written and `DocumentConflict` is thrown, so two concurrent ingestions never undo each other.
    func saveDocument(_ document: DocumentRecord, chunks: [ChunkRecord], replacing expected: DocumentRecord?) async throws
    /// Removes documents and every chunk of them from every index; how many there were.
    func deleteDocuments(tenant: String, ids: [String]) async throws -> Int
    /// BM25 over the tenant's chunks the scope may read, best first. The ACL is applied inside the query,
    /// before ranking and the limit.
    func keywordSearch(_ query: String, scope: AccessScope, limit: Int) async throws -> [RankedChunk]
    func chunkHits(tenant: String, ids: [Int64]) async throws -> [Int64: ChunkHit]
    func vectorChanges(tenant: String, after sequence: Int64, limit: Int) async throws -> [VectorChange]
    /// Every live chunk of the tenant with its document's ACL, and the log position this view is current at.
    func chunkAccess(tenant: String) async throws -> (entries: [(chunkID: Int64, aclGroups: [String])], sequence: Int64)
    func latestVectorChange(tenant: String) async throws -> Int64
}

extension DocumentRepository {
    /// Removes a document and every chunk of it from every index; false when there was none.
    public func deleteDocument(tenant: String, id: String) async throws -> Bool {
        try await deleteDocuments(tenant: tenant, ids: [id]) == 1
    }
}
