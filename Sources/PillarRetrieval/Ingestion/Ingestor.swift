import Crypto
import Foundation
import Logging
import PillarCore
import PillarGateway

/// Load → chunk → embed → store, for one document at a time. Re-ingesting is idempotent: the same bytes
/// with the same ACL and title are skipped by hash, an ACL change re-files the existing chunks without
/// embedding them again, and changed content is chunked and embedded anew as the next version.
public struct Ingestor: Sendable {
    public struct Source: Sendable {
        public var sourceURI: String
        public var title: String?
        public var format: DocumentFormat
        public var data: Data
        public var aclGroups: [String]

        public init(sourceURI: String, title: String? = nil, format: DocumentFormat, data: Data, aclGroups: [String] = []) {
            self.sourceURI = sourceURI
            self.title = title
            self.format = format
            self.data = data
            self.aclGroups = aclGroups
        }
    }

    public enum Change: String, Sendable, Hashable, Codable {
        case created, updated, unchanged
        /// Same content, new ACL or title: the stored chunks were re-filed, nothing was embedded.
        case metadataUpdated = "metadata_updated"
    }

    public struct Outcome: Sendable, Hashable {
        public var document: DocumentRecord
        public var change: Change
    }

    public static let maxSourceURILength = 2_048
    public static let maxGroups = 64

    let repository: any DocumentRepository
    let loader: DocumentLoader
    let chunker: Chunker
    let embedder: any Embedder
    let logger: Logger
    /// Spans to replace in a document's text before it is chunked (a tenant's personal data), by tenant.
    let textRedaction: (@Sendable (_ text: String, _ tenant: String) -> [TextReplacement])?
    private let sourceLocks = KeyedLock()

    public init(
        repository: any DocumentRepository, loader: DocumentLoader = .init(), chunker: Chunker,
        embedder: any Embedder, logger: Logger,
        textRedaction: (@Sendable (_ text: String, _ tenant: String) -> [TextReplacement])? = nil
    ) {
        self.repository = repository
        self.loader = loader
        self.chunker = chunker
        self.embedder = embedder
        self.logger = logger
        self.textRedaction = textRedaction
    }

    public func ingest(_ source: Source, tenant: String, caller: ModelGateway.Caller) async throws -> Outcome {
        try Self.validate(source)
        // Ingestions of one source take turns in this process; against another process (`pillar ingest`, a
        // replica) a save that finds the document changed since it was read starts over from what is there.
        return try await sourceLocks.withLock("\(tenant)\u{0}\(source.sourceURI)") {
            for _ in 1..<Self.maxAttempts {
                do {
                    return try await ingestOnce(source, tenant: tenant, caller: caller)
                } catch is DocumentConflict {
                    continue
                }
            }
            do {
                return try await ingestOnce(source, tenant: tenant, caller: caller)
            } catch is DocumentConflict {
                throw PillarError(
                    .rateLimited, code: "document_busy",
                    message: "\(source.sourceURI) is being changed elsewhere; try again shortly.",
                    retryAfterSeconds: 1)
            }
        }
    }

    static let maxAttempts = 3

    private func ingestOnce(_ source: Source, tenant: String, caller: ModelGateway.Caller) async throws -> Outcome {
        let acl = Array(Set(source.aclGroups)).sorted()
        let hash = SHA256.hash(data: source.data).hexString
        let now = Date().timeIntervalSince1970
        let existing = try await repository.document(tenant: tenant, sourceURI: source.sourceURI)
        let sameContent = existing.map { $0.contentHash == hash && $0.embeddingModel == embedder.model } ?? false

        if let existing, sameContent, source.title == nil || source.title == existing.title {
            if existing.aclGroups == acl { return Outcome(document: existing, change: .unchanged) }
            var document = existing
            document.aclGroups = acl
            document.updatedAt = now
            let chunks = try await repository.chunks(tenant: tenant, documentID: existing.id).map { chunk in
                var copy = chunk
                copy.id = nil
                return copy
            }
            try await repository.saveDocument(document, chunks: chunks, replacing: existing)
            document.chunkCount = chunks.count
            return Outcome(document: document, change: .metadataUpdated)
        }

        var loaded: LoadedDocument
        do {
            loaded = try await load(source)
        } catch let error as LoadingError {
            if error.code == .pdfToolMissing {
                throw PillarError(
                    .unavailable, code: "pdf_tool_missing",
                    message: "PDF text extraction (poppler-utils' pdftotext) is not installed on the server.")
            }
            throw PillarError.invalidRequest(
                "\(source.sourceURI): \(error.message)", param: "content",
                code: Self.errorCode(error))
        }
        if let redact = textRedaction {
            loaded = loaded.replacing(redact(loaded.text, tenant))
        }
        let title = source.title ?? loaded.title ?? Self.fileName(source.sourceURI)
        let pieces = chunker.chunk(loaded)
        guard !pieces.isEmpty else {
            throw PillarError.invalidRequest("\(source.sourceURI): no text to index", param: "content", code: "empty_document")
        }
        let vectors = try await embedder.embed(pieces.map { Self.embeddingText($0, title: title) }, caller: caller)
        let chunks = zip(pieces, vectors).map { piece, vector in
            ChunkRecord(
                ordinal: piece.ordinal, text: piece.text, headingPath: piece.headingPath,
                start: piece.range.lowerBound, end: piece.range.upperBound, tokenCount: piece.tokenCount,
                embedding: vector)
        }
        let document = DocumentRecord(
            id: existing?.id ?? Self.documentID(tenant: tenant, sourceURI: source.sourceURI), tenant: tenant,
            sourceURI: source.sourceURI, title: title, format: source.format.rawValue, contentHash: hash,
            version: sameContent ? existing!.version : (existing?.version ?? 0) + 1, aclGroups: acl,
            bytes: source.data.count, chunkCount: chunks.count, embeddingModel: embedder.model,
            createdAt: existing?.createdAt ?? now, updatedAt: now)
        try await repository.saveDocument(document, chunks: chunks, replacing: existing)
        logger.info(
            "document ingested",
            metadata: [
                "tenant": "\(tenant)", "document": "\(document.id)", "version": "\(document.version)",
                "chunks": "\(chunks.count)",
            ])
        return Outcome(document: document, change: existing == nil ? .created : .updated)
    }

    /// Loading parses in one go and may wait up to a minute on `pdftotext`: it runs on a dispatch thread, so
    /// it never holds one of the few threads of Swift's cooperative pool.
    private func load(_ source: Source) async throws -> LoadedDocument {
        let loader = self.loader
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { try loader.load(source.data, format: source.format) })
            }
        }
    }

    static func errorCode(_ error: LoadingError) -> String {
        switch error.code {
        case .empty: return "empty_document"
        case .invalidEncoding: return "invalid_document_encoding"
        case .pdfFailed: return "pdf_extraction_failed"
        default: return "unreadable_document"
        }
    }

    /// What the embedding model sees: the chunk with its title and headings, which carry much of its meaning.
    static func embeddingText(_ chunk: TextChunk, title: String?) -> String {
        let context = ([title].compactMap { $0 } + chunk.headingPath).filter { !$0.isEmpty }
        return context.isEmpty ? chunk.text : context.joined(separator: " › ") + "\n" + chunk.text
    }

    /// Stable per source, so two ingestions of the same source converge on one document.
    static func documentID(tenant: String, sourceURI: String) -> String {
        let digest = SHA256.hash(data: Data("\(tenant)\u{0}\(sourceURI)".utf8))
        return "doc_" + digest.prefix(12).hexString
    }

    static func fileName(_ sourceURI: String) -> String? {
        let name = sourceURI.split(separator: "/").last.map(String.init)
        return name?.isEmpty == false ? name : nil
    }

    static func validate(_ source: Source) throws(PillarError) {
        if source.sourceURI.isEmpty || source.sourceURI.count > maxSourceURILength {
            throw .invalidRequest("'source' must be 1-\(maxSourceURILength) characters", param: "source")
        }
        if source.sourceURI.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalidRequest("'source' must not hold control characters", param: "source")
        }
        if source.data.isEmpty { throw .invalidRequest("the document is empty", param: "content", code: "empty_document") }
        if source.aclGroups.count > maxGroups {
            throw .invalidRequest("'acl' may list at most \(maxGroups) groups", param: "acl")
        }
        for group in source.aclGroups where !DocumentRecord.isValidGroup(group) {
            throw .invalidRequest("'acl' group '\(group.prefix(64))' must be 1-256 letters, digits or - _ . : @ /", param: "acl")
        }
        if let title = source.title, title.count > 1_000 {
            throw .invalidRequest("'title' must be at most 1000 characters", param: "title")
        }
    }
}
