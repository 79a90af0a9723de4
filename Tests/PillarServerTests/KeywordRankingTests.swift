import Foundation
import GRDB
import PillarCore
import Testing

@testable import PillarStore

/// Keyword ranking is BM25 as FTS5 computes it, over what the reader may read only: hidden documents change
/// neither the order nor the scores a reader sees (a real SQLite file).
@Suite struct KeywordRankingTests {
    static let topics = ["river", "mountain", "harbour", "glacier", "desert", "forest", "volcano", "island"]

    /// A store in a fresh data directory with the tenant's documents saved in order.
    static func store(_ documents: [(id: String, acl: [String], text: String)]) async throws -> (SQLiteDocumentRepository, String)
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pillar-bm25-\(UUID().uuidString)").path
        let database = try PillarDatabase(
            dataDirectory: directory, environment: ["PILLAR_MASTER_KEY": Data(repeating: 7, count: 32).base64EncodedString()])
        _ = try await SQLiteTenantRepository(database: database).ensureTenant("t")
        let repository = SQLiteDocumentRepository(database: database)
        for document in documents {
            let record = DocumentRecord(
                id: document.id, tenant: "t", sourceURI: "test://\(document.id)", title: document.id,
                format: "text", contentHash: document.id, version: 1, aclGroups: document.acl,
                bytes: document.text.utf8.count, chunkCount: 1, embeddingModel: "none",
                createdAt: 0, updatedAt: 0)
            let chunk = ChunkRecord(
                ordinal: 0, text: document.text, headingPath: [], start: 0, end: document.text.count,
                tokenCount: 10, embedding: [1, 0])
            try await repository.saveDocument(record, chunks: [chunk], replacing: nil)
        }
        return (repository, directory)
    }

    /// Documents of varied length and topic mix, deterministic.
    static func corpus(count: Int, prefix: String, acl: [String], seed: Int) -> [(id: String, acl: [String], text: String)] {
        (0..<count).map { index in
            let words = (0..<(5 + (index * 7 + seed) % 23)).map {
                topics[($0 * 3 + index * 5 + seed) % topics.count] + ($0 % 4 == 0 ? "s" : "")
            }
            return ("\(prefix)\(index)", acl, words.joined(separator: " "))
        }
    }

    @Test func withEverythingReadableTheScoresAreFTS5sOwn() async throws {
        let (repository, directory) = try await Self.store(Self.corpus(count: 40, prefix: "d", acl: [], seed: 1))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let table = SQLiteDocumentRepository.ftsTable("t")
        for query in ["river", "glaciers desert", "forest harbour volcano islands"] {
            let ours = try await repository.keywordSearch(query, scope: AccessScope(tenant: "t", groups: []), limit: 100)
            let match = KeywordQuery.terms(query).map { "\"\($0)\"" }.joined(separator: " OR ")
            let theirs = try await repository.database.pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT rowid AS id, -bm25(\(table), 1.0, 1.0) AS score FROM \(table) WHERE \(table) MATCH ?",
                    arguments: [match]
                ).map { ($0["id"] as Int64, $0["score"] as Double) }
            }
            #expect(ours.count == theirs.count, "\(query)")
            let expected = Dictionary(uniqueKeysWithValues: theirs)
            for hit in ours {
                let score = try #require(expected[hit.id])
                #expect(abs(hit.score - score) < 1e-9 * max(1, abs(score)), "\(query): chunk \(hit.id) \(hit.score) vs \(score)")
            }
        }
    }

    @Test func hiddenDocumentsChangeNeitherTheOrderNorTheScores() async throws {
        let readable =
            Self.corpus(count: 30, prefix: "open", acl: [], seed: 2)
            + Self.corpus(count: 20, prefix: "team", acl: ["team"], seed: 3)
        // Hidden documents saved after the readable ones, so chunk ids of the readable ones are the same in both.
        let hidden = Self.corpus(count: 60, prefix: "secret", acl: ["board"], seed: 4).map {
            ($0.id, $0.acl, $0.text + " river river river")
        }
        let (alone, aloneDirectory) = try await Self.store(readable)
        let (together, togetherDirectory) = try await Self.store(readable + hidden)
        defer {
            try? FileManager.default.removeItem(atPath: aloneDirectory)
            try? FileManager.default.removeItem(atPath: togetherDirectory)
        }
        let reader = AccessScope(tenant: "t", groups: ["team"])
        for query in ["river", "river mountain", "harbour glacier desert", "islands volcano river forest"] {
            let expected = try await alone.keywordSearch(query, scope: reader, limit: 20)
            let seen = try await together.keywordSearch(query, scope: reader, limit: 20)
            #expect(!expected.isEmpty)
            #expect(seen.map(\.id) == expected.map(\.id), "\(query)")
            #expect(zip(seen, expected).allSatisfy { abs($0.score - $1.score) < 1e-12 }, "\(query)")
            let board = try await together.keywordSearch(query, scope: AccessScope(tenant: "t", groups: ["board"]), limit: 200)
            #expect(board.count > seen.count, "the board reads the hidden documents as well")
        }
    }

    @Test func lengthsComeFromTheIndexsRowSizes() {
        #expect(ReaderScopedBM25.rowLength(Data([0x02, 0x06])) == 8)
        #expect(ReaderScopedBM25.rowLength(Data([0x81, 0x00, 0x05])) == 133, "a two-byte varint (128) and 5")
        #expect(ReaderScopedBM25.rowLength(Data()) == 0)
    }
}
