import Foundation
import GRDB
import PillarCore

/// Keyword ranking that only the chunks a reader may read can influence. FTS5's own `bm25()` takes its
/// statistics (rows, rows holding a term, average length) from the whole table, so a tenant's hidden documents
/// would shift the scores, and with several terms the order, of what a reader sees. That is a side channel on
/// documents the reader must not be able to count or infer. This computes the same formula as FTS5 (k1 = 1.2,
/// b = 0.75, every column weighted 1, a term's IDF floored at 1e-6) from the readable chunks alone. Term
/// frequencies come from an `fts5vocab` instance table, lengths from the index's own row sizes
/// (`keyword_tokens`), and both are filtered by the ACL before anything is counted.
enum ReaderScopedBM25 {
    static let k1 = 1.2
    static let b = 0.75

    /// The ACL test in SQL, for a query whose `document` row is `d`, with its arguments.
    static func readable(_ scope: AccessScope) -> (sql: String, arguments: StatementArguments) {
        let groups = scope.groups.sorted()
        let placeholders = groups.isEmpty ? "NULL" : Array(repeating: "?", count: groups.count).joined(separator: ", ")
        var arguments: StatementArguments = [scope.tenant, scope.tenant]
        for group in groups { arguments += [group] }
        return (
            """
            d.tenant_id = ? AND (d.acl_open = 1 OR d.id IN (SELECT document_id FROM document_group
                                                            WHERE tenant_id = ? AND group_name IN (\(placeholders))))
            """, arguments
        )
    }

    /// The chunks matching any of `words`, best first, scored from the statistics of what `scope` may read.
    static func rank(_ db: Database, words: [String], table name: String, scope: AccessScope, limit: Int) throws -> [RankedChunk]
    {
        let terms = try indexTerms(db, words: words)
        guard !terms.isEmpty else { return [] }
        let vocabulary = try instanceVocabulary(db, table: name)
        let filter = readable(scope)
        guard
            let totals = try Row.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(d.chunk_count), 0) AS chunks, coalesce(sum(d.keyword_tokens), 0) AS tokens
                    FROM document d WHERE \(filter.sql)
                    """, arguments: filter.arguments)
        else { return [] }
        let readableChunks: Int = totals["chunks"]
        let readableTokens: Int = totals["tokens"]
        guard readableChunks > 0 else { return [] }
        let averageLength = max(Double(readableTokens) / Double(readableChunks), 1e-9)
        var scores: [Int64: Double] = [:]
        for term in terms {
            // One row per readable chunk holding the term: its count in all columns, and the chunk's length.
            let postings = try Row.fetchAll(
                db,
                sql: """
                    SELECT v.doc AS id, count(*) AS frequency, c.keyword_tokens AS length
                    FROM temp.\(vocabulary) v
                    JOIN chunk c ON c.id = v.doc
                    JOIN document d ON d.id = c.document_id
                    WHERE v.term = ? AND \(filter.sql)
                    GROUP BY v.doc
                    """, arguments: [term] + filter.arguments)
            guard !postings.isEmpty else { continue }
            let holding = Double(postings.count)
            var idf = log((Double(readableChunks) - holding + 0.5) / (holding + 0.5))
            if idf <= 0 { idf = 1e-6 }
            for posting in postings {
                let frequency = Double(posting["frequency"] as Int)
                let length = Double(posting["length"] as Int)
                let saturation = frequency * (k1 + 1) / (frequency + k1 * (1 - b + b * length / averageLength))
                scores[posting["id"], default: 0] += idf * saturation
            }
        }
        return scores.map { RankedChunk(id: $0.key, score: $0.value) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
            .prefix(limit).map { $0 }
    }

    /// The query's words as the index's tokenizer turns them into terms (folded, stemmed), found by indexing
    /// them in a temporary FTS5 table on this connection with the same tokenizer.
    static func indexTerms(_ db: Database, words: [String]) throws -> [String] {
        try db.execute(
            sql: """
                CREATE VIRTUAL TABLE IF NOT EXISTS temp.pillar_query_terms USING fts5(text, tokenize = '\(SQLiteDocumentRepository.keywordTokenizer)');
                CREATE VIRTUAL TABLE IF NOT EXISTS temp.pillar_query_terms_vocabulary USING fts5vocab(temp, pillar_query_terms, 'row');
                DELETE FROM temp.pillar_query_terms;
                """)
        try db.execute(sql: "INSERT INTO temp.pillar_query_terms (text) VALUES (?)", arguments: [words.joined(separator: " ")])
        defer { try? db.execute(sql: "DELETE FROM temp.pillar_query_terms") }
        return try String.fetchAll(db, sql: "SELECT term FROM temp.pillar_query_terms_vocabulary ORDER BY term")
    }

    /// A per-connection `fts5vocab` table listing every term instance of a tenant's keyword index.
    static func instanceVocabulary(_ db: Database, table name: String) throws -> String {
        let vocabulary = "\"\(name)_instances\""
        try db.execute(
            sql: "CREATE VIRTUAL TABLE IF NOT EXISTS temp.\(vocabulary) USING fts5vocab(main, \"\(name)\", 'instance')")
        return vocabulary
    }

    /// A row's length in tokens over all its columns, from the index's `_docsize` record: one SQLite varint per
    /// column.
    static func rowLength(_ record: Data) -> Int {
        var total = 0
        var bytes = record[...]
        while !bytes.isEmpty {
            var value: UInt64 = 0
            var consumed = 0
            for byte in bytes.prefix(9) {
                consumed += 1
                if consumed == 9 {
                    value = (value << 8) | UInt64(byte)
                    break
                }
                value = (value << 7) | UInt64(byte & 0x7f)
                if byte & 0x80 == 0 { break }
            }
            bytes = bytes.dropFirst(consumed)
            total += Int(truncatingIfNeeded: value)
        }
        return total
    }

    /// Records the keyword index's length of freshly indexed chunks, and their document's total.
    static func recordLengths(_ db: Database, table name: String, documentID: String, chunkIDs: [Int64]) throws {
        var documentTotal = 0
        for id in chunkIDs {
            let record = try Data.fetchOne(db, sql: "SELECT sz FROM \"\(name)_docsize\" WHERE id = ?", arguments: [id])
            let length = record.map(rowLength) ?? 0
            documentTotal += length
            try db.execute(sql: "UPDATE chunk SET keyword_tokens = ? WHERE id = ?", arguments: [length, id])
        }
        try db.execute(sql: "UPDATE document SET keyword_tokens = ? WHERE id = ?", arguments: [documentTotal, documentID])
    }
}
