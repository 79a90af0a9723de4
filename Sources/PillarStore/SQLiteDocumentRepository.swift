import Foundation
import GRDB
import PillarCore

/// Documents and chunks in SQLite. Each tenant has its own FTS5 table (`chunk_fts_<tenant>`), so BM25's
/// term statistics never mix tenants; chunk vectors are stored as little-endian Float32 blobs and every
/// addition or removal is appended to `vector_change`, which in-process vector indexes replay.
public struct SQLiteDocumentRepository: DocumentRepository {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func indexSummary(tenant: String) async throws -> IndexSummary {
        try await database.pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS documents, coalesce(sum(chunk_count), 0) AS chunks, max(updated_at) AS updated
                    FROM document WHERE tenant_id = ?
                    """, arguments: [tenant])
            return IndexSummary(documents: row?["documents"] ?? 0, chunks: row?["chunks"] ?? 0, updatedAt: row?["updated"])
        }
    }

    public func document(tenant: String, id: String) async throws -> DocumentRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM document WHERE tenant_id = ? AND id = ?", arguments: [tenant, id])
                .map(Self.document)
        }
    }

    public func document(tenant: String, sourceURI: String) async throws -> DocumentRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM document WHERE tenant_id = ? AND source_uri = ?",
                arguments: [tenant, sourceURI]
            ).map(Self.document)
        }
    }

    public func listDocuments(tenant: String, sourcePrefix: String?, after: String?, limit: Int) async throws -> [DocumentRecord]
    {
        try await database.pool.read { db in
            var sql = "SELECT * FROM document WHERE tenant_id = ?"
            var arguments: StatementArguments = [tenant]
            if let sourcePrefix {
                // substr, not LIKE: a prefix holding % or _ must match literally.
                sql += " AND substr(source_uri, 1, ?) = ?"
                arguments += [sourcePrefix.unicodeScalars.count, sourcePrefix]
            }
            if let after {
                sql += " AND id > ?"
                arguments += [after]
            }
            sql += " ORDER BY id LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.document)
        }
    }

    public func chunks(tenant: String, documentID: String) async throws -> [ChunkRecord] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM chunk WHERE tenant_id = ? AND document_id = ? ORDER BY ordinal",
                arguments: [tenant, documentID]
            ).map { row in
                ChunkRecord(
                    id: row["id"], ordinal: row["ordinal"],
                    text: try database.cipher.decrypt(row["text"], tenant: tenant, in: db),
                    headingPath: Self.decodeList(row["heading_path"]), start: row["start_offset"],
                    end: row["end_offset"], tokenCount: row["token_count"],
                    embedding: VectorBytes.decode(row["embedding"]))
            }
        }
    }

    public func saveDocument(_ document: DocumentRecord, chunks: [ChunkRecord], replacing expected: DocumentRecord?) async throws
    {
        let table = Self.ftsTable(document.tenant)
        try await database.pool.write { db in
            let current = try Row.fetchOne(
                db, sql: "SELECT * FROM document WHERE tenant_id = ? AND id = ?",
                arguments: [document.tenant, document.id]
            ).map(Self.document)
            guard current == expected else { throw DocumentConflict(documentID: document.id) }
            try Self.createKeywordIndex(db, table: table)
            try removeChunks(db, tenant: document.tenant, documentID: document.id, table: table)
            try db.execute(
                sql: """
                    INSERT INTO document (id, tenant_id, source_uri, title, format, content_hash, version, acl, acl_open,
                                          bytes, chunk_count, embedding_model, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET source_uri = excluded.source_uri, title = excluded.title,
                        format = excluded.format, content_hash = excluded.content_hash, version = excluded.version,
                        acl = excluded.acl, acl_open = excluded.acl_open, bytes = excluded.bytes,
                        chunk_count = excluded.chunk_count, embedding_model = excluded.embedding_model,
                        updated_at = excluded.updated_at
                    """,
                arguments: [
                    document.id, document.tenant, document.sourceURI, document.title, document.format,
                    document.contentHash, document.version, Self.encodeList(document.aclGroups),
                    document.aclGroups.isEmpty, document.bytes, chunks.count, document.embeddingModel,
                    document.createdAt, document.updatedAt,
                ])
            try db.execute(sql: "DELETE FROM document_group WHERE document_id = ?", arguments: [document.id])
            for group in Set(document.aclGroups) {
                try db.execute(
                    sql: "INSERT INTO document_group (document_id, tenant_id, group_name) VALUES (?, ?, ?)",
                    arguments: [document.id, document.tenant, group])
            }
            let titleField = document.title ?? ""
            var indexed: [Int64] = []
            for chunk in chunks {
                try db.execute(
                    sql: """
                        INSERT INTO chunk (tenant_id, document_id, ordinal, text, heading_path, start_offset, end_offset,
                                           token_count, embedding)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        document.tenant, document.id, chunk.ordinal,
                        try database.cipher.encrypt(chunk.text, tenant: document.tenant, in: db),
                        Self.encodeList(chunk.headingPath), chunk.start, chunk.end, chunk.tokenCount,
                        VectorBytes.encode(chunk.embedding),
                    ])
                let id = db.lastInsertedRowID
                let heading = ([titleField] + chunk.headingPath).joined(separator: " ")
                try db.execute(
                    sql: "INSERT INTO \(table) (rowid, title, body) VALUES (?, ?, ?)",
                    arguments: [id, heading, chunk.text])
                indexed.append(id)
                try db.execute(
                    sql: "INSERT INTO vector_change (tenant_id, chunk_id, op) VALUES (?, ?, 'add')",
                    arguments: [document.tenant, id])
            }
            try ReaderScopedBM25.recordLengths(
                db, table: Self.ftsTableName(document.tenant), documentID: document.id,
                chunkIDs: indexed)
        }
    }

    public func deleteDocuments(tenant: String, ids: [String]) async throws -> Int {
        let table = Self.ftsTable(tenant)
        var removed = 0
        // In batches, each one transaction and one merge of the keyword index: a folder sync that removes many
        // documents pays for the merge once a batch, not once a document.
        for batch in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            removed += try await database.pool.write { db in
                try Self.createKeywordIndex(db, table: table)
                var count = 0
                for id in Set(batch) {
                    guard
                        try Bool.fetchOne(
                            db, sql: "SELECT 1 FROM document WHERE tenant_id = ? AND id = ?",
                            arguments: [tenant, id]) != nil
                    else { continue }
                    try removeChunks(db, tenant: tenant, documentID: id, table: table)
                    try db.execute(sql: "DELETE FROM document WHERE tenant_id = ? AND id = ?", arguments: [tenant, id])
                    count += 1
                }
                // FTS5 keeps deleted terms in its segments until they are merged: merge now, so the documents'
                // words are gone from the index and not just hidden.
                if count > 0 { try db.execute(sql: "INSERT INTO \(table) (\(table)) VALUES ('optimize')") }
                return count
            }
        }
        return removed
    }

    public func keywordSearch(_ query: String, scope: AccessScope, limit: Int) async throws -> [RankedChunk] {
        let words = KeywordQuery.terms(query)
        guard !words.isEmpty, limit > 0 else { return [] }
        let name = Self.ftsTableName(scope.tenant)
        return try await database.pool.read { db in
            guard try Self.keywordIndexExists(db, table: Self.ftsTable(scope.tenant)) else { return [] }
            // Title and headings are a column of their own, weighted like the body (weighting them double scored
            // worse on HotpotQA). Only chunks the caller may read are counted, scored or ranked.
            return try ReaderScopedBM25.rank(db, words: words, table: name, scope: scope, limit: limit)
        }
    }

    public func chunkHits(tenant: String, ids: [Int64]) async throws -> [Int64: ChunkHit] {
        guard !ids.isEmpty else { return [:] }
        return try await database.pool.read { db in
            var hits: [Int64: ChunkHit] = [:]
            for batch in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
                let placeholders = Array(repeating: "?", count: batch.count).joined(separator: ", ")
                var arguments: StatementArguments = [tenant]
                for id in batch { arguments += [id] }
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.id, c.document_id, c.text, c.heading_path, c.ordinal, c.start_offset, c.end_offset,
                               d.version, d.source_uri, d.title, d.acl
                        FROM chunk c JOIN document d ON d.id = c.document_id
                        WHERE c.tenant_id = ? AND c.id IN (\(placeholders))
                        """, arguments: arguments)
                for row in rows {
                    let hit = ChunkHit(
                        chunkID: row["id"], documentID: row["document_id"], documentVersion: row["version"],
                        sourceURI: row["source_uri"], title: row["title"],
                        text: try database.cipher.decrypt(row["text"], tenant: tenant, in: db),
                        headingPath: Self.decodeList(row["heading_path"]), ordinal: row["ordinal"],
                        start: row["start_offset"], end: row["end_offset"],
                        aclGroups: Self.decodeList(row["acl"]))
                    hits[hit.chunkID] = hit
                }
            }
            return hits
        }
    }

    public func vectorChanges(tenant: String, after sequence: Int64, limit: Int) async throws -> [VectorChange] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT v.seq, v.op, v.chunk_id, c.embedding, d.acl
                    FROM vector_change v
                    LEFT JOIN chunk c ON c.id = v.chunk_id AND v.op = 'add'
                    LEFT JOIN document d ON d.id = c.document_id
                    WHERE v.tenant_id = ? AND v.seq > ? ORDER BY v.seq LIMIT ?
                    """, arguments: [tenant, sequence, limit]
            ).map { row in
                let blob: Data? = row["embedding"]
                return VectorChange(
                    sequence: row["seq"], operation: VectorChange.Operation(rawValue: row["op"]) ?? .remove,
                    chunkID: row["chunk_id"], embedding: blob.map(VectorBytes.decode),
                    aclGroups: Self.decodeList(row["acl"]))
            }
        }
    }

    public func chunkAccess(tenant: String) async throws -> (entries: [(chunkID: Int64, aclGroups: [String])], sequence: Int64) {
        try await database.pool.read { db in
            let sequence = try Self.latestVectorChange(db, tenant: tenant)
            let entries = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, d.acl FROM chunk c JOIN document d ON d.id = c.document_id WHERE c.tenant_id = ?
                    """, arguments: [tenant]
            ).map { row in (chunkID: row["id"] as Int64, aclGroups: Self.decodeList(row["acl"])) }
            return (entries, sequence)
        }
    }

    public func latestVectorChange(tenant: String) async throws -> Int64 {
        try await database.pool.read { db in try Self.latestVectorChange(db, tenant: tenant) }
    }

    static func latestVectorChange(_ db: Database, tenant: String) throws -> Int64 {
        try Int64.fetchOne(
            db, sql: "SELECT coalesce(max(seq), 0) FROM vector_change WHERE tenant_id = ?",
            arguments: [tenant]) ?? 0
    }

    // MARK: - Helpers

    /// The tenant id in hex: only `[0-9a-f]`, so it is a safe identifier, and no tenant's table can be named
    /// like another's FTS5 shadow tables (`<table>_content`, `_data`…), which an id holding `_` could.
    static func ftsTableName(_ tenant: String) -> String {
        "chunk_fts_x" + tenant.utf8.hexString
    }

    static func ftsTable(_ tenant: String) -> String { "\"\(ftsTableName(tenant))\"" }

    /// How the keyword index (and the query, for its terms) is tokenized.
    static let keywordTokenizer = "porter unicode61 remove_diacritics 2"

    static func createKeywordIndex(_ db: Database, table: String) throws {
        // Contentless: the index holds terms and positions but no copy of the (encrypted) text, so rows are
        // removed with FTS5's 'delete' command and the text they were indexed with.
        try db.execute(
            sql:
                "CREATE VIRTUAL TABLE IF NOT EXISTS \(table) USING fts5(title, body, content = '', tokenize = '\(keywordTokenizer)')"
        )
    }

    static func keywordIndexExists(_ db: Database, table: String) throws -> Bool {
        let name = String(table.dropFirst().dropLast())
        return try Bool.fetchOne(db, sql: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [name])
            != nil
    }

    /// Drops a document's chunks from the keyword index and the chunk table, logging their removal. The index
    /// is contentless, so each row is removed with the text it was indexed with (decrypted for the purpose).
    func removeChunks(_ db: Database, tenant: String, documentID: String, table: String) throws {
        let title =
            try String.fetchOne(
                db, sql: "SELECT title FROM document WHERE tenant_id = ? AND id = ?",
                arguments: [tenant, documentID]) ?? ""
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, text, heading_path FROM chunk WHERE tenant_id = ? AND document_id = ?",
            arguments: [tenant, documentID])
        for row in rows {
            let id: Int64 = row["id"]
            let heading = ([title] + Self.decodeList(row["heading_path"])).joined(separator: " ")
            let text = try database.cipher.decrypt(row["text"], tenant: tenant, in: db)
            try db.execute(
                sql: "INSERT INTO \(table) (\(table), rowid, title, body) VALUES ('delete', ?, ?, ?)",
                arguments: [id, heading, text])
            try db.execute(
                sql: "INSERT INTO vector_change (tenant_id, chunk_id, op) VALUES (?, ?, 'remove')",
                arguments: [tenant, id])
        }
        try db.execute(sql: "DELETE FROM chunk WHERE tenant_id = ? AND document_id = ?", arguments: [tenant, documentID])
    }

    static func document(_ row: Row) -> DocumentRecord {
        DocumentRecord(
            id: row["id"], tenant: row["tenant_id"], sourceURI: row["source_uri"], title: row["title"],
            format: row["format"], contentHash: row["content_hash"], version: row["version"],
            aclGroups: decodeList(row["acl"]), bytes: row["bytes"], chunkCount: row["chunk_count"],
            embeddingModel: row["embedding_model"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    static func encodeList(_ list: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(list)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decodeList(_ text: String?) -> [String] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}

/// Turns what a person typed into an FTS5 expression that cannot be a syntax error or an injection: every
/// word becomes a quoted term, joined with OR, so BM25 ranks chunks by how many of them they hold and how rare.
/// English function words are left out (unless the query holds nothing else): with OR semantics they only add
/// noise to BM25, matching nearly every chunk.
enum KeywordQuery {
    static let maxTerms = 64
    static let stopwords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "did", "do", "does", "for", "from", "had", "has", "have",
        "how", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "what",
        "when", "where", "which", "who", "whom", "whose", "why", "with",
    ]

    /// The query's distinct words, up to `maxTerms`, without stopwords (unless nothing else is left).
    static func terms(_ query: String) -> [String] {
        var seen = Set<String>()
        var words: [String] = []
        for word in query.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) where word.count <= 64 {
            let term = String(word)
            if seen.insert(term).inserted { words.append(term) }
            if words.count == maxTerms { break }
        }
        let content = words.filter { !stopwords.contains($0) }
        return content.isEmpty ? words : content
    }
}
