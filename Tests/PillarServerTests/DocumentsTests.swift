import Foundation
import GRDB
import Logging
import PillarCore
import PillarGateway
import Testing

@testable import PillarRetrieval
@testable import PillarServer
@testable import PillarStore

/// Grounding data over HTTP against a real server, a real SQLite file and the project's simulator as the
/// embedding model (its vectors are hashed bags of words, so texts sharing words are neighbours).
func withRetrievalPillar<T: Sendable>(
    dataDirectory: String? = nil,
    configure: @escaping @Sendable (inout PillarConfiguration) -> Void = { _ in },
    _ body: @Sendable (PillarClient) async throws -> T
) async throws -> T {
    try await withSimulator { port in
        try await withPillar(
            deployments: [simulatorDeployment("sim", port: port, models: ["sim", "sim-embed"])],
            configure: { configuration in
                configuration.retrieval.embeddingModel = "sim-embed"
                configure(&configuration)
            },
            dataDirectory: dataDirectory, body)
    }
}

extension PillarClient {
    func ingest(_ fields: [String: Any], key: String = adminKey) async throws -> TestResponse {
        let body = String(data: try JSONSerialization.data(withJSONObject: fields), encoding: .utf8)!
        return try await request(.POST, "/v1/documents", key: key, body: body)
    }

    func search(_ query: String, mode: String = "hybrid", topK: Int = 5, key: String = adminKey) async throws -> TestResponse {
        let body = String(
            data: try JSONSerialization.data(withJSONObject: ["query": query, "mode": mode, "top_k": topK]),
            encoding: .utf8)!
        return try await request(.POST, "/v1/search", key: key, body: body)
    }
}

extension TestResponse {
    var results: [[String: Any]] { json["data"] as? [[String: Any]] ?? [] }
    var document: [String: Any] { json["document"] as? [String: Any] ?? [:] }
}

let handbook = """
    # Travel handbook

    Employees book flights through the travel desk. Economy class is the rule for flights under six hours.

    ## Expenses

    Hotel receipts must be filed within thirty days. The per diem for meals is forty euros.

    ## Safety

    Travellers register their itinerary so that the security team can reach them.
    """

@Suite struct DocumentsTests {
    @Test func ingestSearchesEveryModeWithLineageAndReingestIsIdempotent() async throws {
        try await withRetrievalPillar { pillar in
            let created = try await pillar.ingest(["source": "handbook.md", "content": handbook])
            #expect(created.status == 201, "\(created.body)")
            #expect(created.json["change"] as? String == "created")
            let id = try #require(created.document["id"] as? String)
            #expect(created.document["title"] as? String == "Travel handbook")
            #expect(created.document["version"] as? Int == 1)
            #expect((created.document["chunks"] as? Int ?? 0) >= 1)

            let again = try await pillar.ingest(["source": "handbook.md", "content": handbook])
            #expect(again.status == 200)
            #expect(again.json["change"] as? String == "unchanged")

            let scalars = Array(handbook.unicodeScalars)
            for mode in ["keyword", "vector", "hybrid"] {
                let found = try await pillar.search("hotel receipts per diem", mode: mode)
                #expect(found.status == 200, "\(found.body)")
                let top = try #require(found.results.first, "\(mode): \(found.body)")
                #expect(top["document_id"] as? String == id)
                #expect(top["source"] as? String == "handbook.md")
                let text = try #require(top["text"] as? String)
                #expect(text.contains("Hotel receipts"), "\(mode)")
                // Lineage: the offsets point at exactly this passage of the document.
                let start = try #require(top["start"] as? Int)
                let end = try #require(top["end"] as? Int)
                #expect(String(String.UnicodeScalarView(scalars[start..<end])) == text)
                #expect((top["heading_path"] as? [String])?.last == "Expenses", "\(top)")
            }

            // Quotes and FTS5 operators in a query are words, never syntax (U+0D4E glues the quote to itself).
            for query in ["\u{0D4E}\"", "a\" OR \"b", "title:secret*", "NEAR(a b)", "^x -y"] {
                let body = String(
                    data: try JSONSerialization.data(withJSONObject: ["query": query, "mode": "keyword"]), encoding: .utf8)!
                #expect(try await pillar.request(.POST, "/v1/search", key: adminKey, body: body).status == 200, "\(query)")
            }

            let changed = try await pillar.ingest([
                "source": "handbook.md",
                "content": handbook.replacingOccurrences(of: "forty", with: "fifty"),
            ])
            #expect(changed.json["change"] as? String == "updated")
            #expect(changed.document["version"] as? Int == 2)
            #expect(changed.document["id"] as? String == id)
            let updated = try await pillar.search("per diem fifty euros", mode: "keyword")
            #expect((updated.results.first?["text"] as? String)?.contains("fifty") == true)
            #expect(updated.results.allSatisfy { ($0["text"] as? String)?.contains("forty") != true })
        }
    }

    /// A `+` in a query is a space, as forms and Python's `requests` write one; `%2B` is a plus.
    @Test func aPlusInTheQueryIsASpaceAndAnEncodedPlusIsAPlus() async throws {
        try await withRetrievalPillar { (pillar: PillarClient) async throws -> Void in
            for source in ["travel policy.md", "travel+plan.md"] {
                let saved = try await pillar.ingest(["source": source, "content": "Text of \(source)."])
                #expect(saved.status == 201)
            }
            for (query, expected) in [
                ("travel+policy", "travel policy.md"), ("travel%20policy", "travel policy.md"),
                ("travel%2Bplan", "travel+plan.md"),
            ] {
                let listed = try await pillar.request(.GET, "/v1/documents?source_prefix=\(query)")
                let sources = (listed.json["data"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }
                #expect(sources == [expected], "source_prefix=\(query)")
            }
        }
    }

    @Test func deleteRemovesEveryTraceFromEveryIndex() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = URL(fileURLWithPath: directory + "/vector-index/default.hnsw")
        /// How many of `vectors` the saved graph's bytes hold.
        @Sendable func saved(_ vectors: [Data]) -> Int {
            guard let bytes = try? Data(contentsOf: file) else { return 0 }
            return vectors.filter { bytes.range(of: $0) != nil }.count
        }
        /// Waits up to ten seconds for the periodic save to make `condition` true.
        @Sendable func eventually(_ condition: () -> Bool) async throws {
            for _ in 0..<200 {
                if condition() { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        // Vector searches walk the graph rather than scan it, and the graph is saved every 50 ms.
        let doomed = try await withRetrievalPillar(
            dataDirectory: directory,
            configure: {
                $0.retrieval.exactSearchBelow = 0
                $0.retrieval.persistIntervalSeconds = 0.05
            }
        ) { pillar in
            let kept = try await pillar.ingest(["source": "kept.txt", "content": "Quarterly planning happens in March."])
            #expect(kept.status == 201)
            // Enough other chunks that the one removal stays under the fifth that makes the graph be rebuilt:
            // the removal itself must erase the vector.
            for index in 0..<5 {
                #expect(
                    try await pillar.ingest(["source": "other-\(index).txt", "content": "Filler note \(index) on lunch."]).status
                        == 201)
            }
            let doomed = try await pillar.ingest([
                "source": "doomed.txt", "content": "The zanzibarite project codename is secret.",
            ])
            let id = try #require(doomed.document["id"] as? String)
            #expect(try await pillar.search("zanzibarite", mode: "keyword").results.count == 1)
            _ = try await pillar.search("zanzibarite project codename", mode: "vector")
            let rows = try DatabaseQueue(path: pillar.dataDirectory + "/pillar.sqlite").read { db in
                try Row.fetchAll(db, sql: "SELECT id, embedding FROM chunk WHERE document_id = ?", arguments: [id])
            }
            let chunks: (ids: [Int64], vectors: [Data]) = (rows.map { $0["id"] }, rows.map { $0["embedding"] })
            #expect(!chunks.ids.isEmpty)
            // The saved graph holds the vectors before the deletion, so that the test sees them leave.
            try await eventually { saved(chunks.vectors) == chunks.vectors.count }
            #expect(saved(chunks.vectors) == chunks.vectors.count)

            let deleted = try await pillar.request(.DELETE, "/v1/documents/\(id)")
            #expect(deleted.status == 204, "\(deleted.body)")
            #expect(deleted.body.isEmpty)
            #expect(try await pillar.request(.DELETE, "/v1/documents/\(id)").status == 404)
            #expect(try await pillar.request(.GET, "/v1/documents/\(id)").status == 404)
            for mode in ["keyword", "vector", "hybrid"] {
                let found = try await pillar.search("zanzibarite project codename secret", mode: mode, topK: 10)
                #expect(found.results.allSatisfy { $0["document_id"] as? String != id }, "\(mode): \(found.body)")
            }

            // And in the database itself: no chunk, no keyword-index term, a logged removal for the vector index.
            let database = try DatabaseQueue(path: pillar.dataDirectory + "/pillar.sqlite")
            try await database.write { db in
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk WHERE document_id = ?", arguments: [id]) == 0)
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM document WHERE id = ?", arguments: [id]) == 0)
                let table = SQLiteDocumentRepository.ftsTableName("default")
                try db.execute(sql: "CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, '\(table)', 'row')")
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.vocabulary WHERE term = 'zanzibarit'") == 0)
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.vocabulary WHERE term = 'quarterli'") == 1)
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM vector_change WHERE op = 'remove'") ?? 0 >= 1)
                // A document's chunks are found through the composite index, not by scanning the tenant's chunks.
                let plan = try Row.fetchAll(
                    db, sql: "EXPLAIN QUERY PLAN SELECT id FROM chunk WHERE tenant_id = 'default' AND document_id = 'x'")
                #expect(plan.contains { ($0["detail"] as String? ?? "").contains("chunk_tenant_document") }, "\(plan)")
            }
            try await eventually { saved(chunks.vectors) == 0 }
            return chunks
        }
        // And in the graph saved at shutdown: neither the vectors nor the chunk ids, and no rebuild did it.
        #expect(saved(doomed.vectors) == 0)
        let (graph, _) = try HNSWFile.read(from: file)
        #expect(Set(graph.ids).isDisjoint(with: doomed.ids), "\(graph.ids)")
        #expect(graph.liveCount == 6 && graph.nodeCount == 6 + doomed.ids.count)
    }

    @Test func multipartUploadsOfCSVAndHTML() async throws {
        try await withRetrievalPillar { pillar in
            let boundary = "pillar-test-boundary"
            func form(_ fileName: String, _ type: String, _ content: String, acl: String? = nil) -> String {
                var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\n"
                body += "Content-Type: \(type)\r\n\r\n\(content)\r\n"
                if let acl { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"acl\"\r\n\r\n\(acl)\r\n" }
                return body + "--\(boundary)--\r\n"
            }
            let csv = "city,country,population\nLyon,France,522000\n\"Porto, Norte\",Portugal,232000\n"
            let uploaded = try await pillar.request(
                .POST, "/v1/documents", body: form("cities.csv", "text/csv", csv),
                contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(uploaded.status == 201, "\(uploaded.body)")
            #expect(uploaded.document["format"] as? String == "csv")
            let html =
                "<html><head><title>Menu</title><script>var hidden = 'croissant';</script></head><body><h1>Lunch</h1><p>Soup &amp; salad</p></body></html>"
            let page = try await pillar.request(
                .POST, "/v1/documents", body: form("menu.html", "text/html", html, acl: "kitchen"),
                contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(page.status == 201, "\(page.body)")
            #expect(page.document["title"] as? String == "Menu")
            #expect(page.document["acl"] as? [String] == ["kitchen"])

            let porto = try await pillar.search("Porto Portugal population", mode: "keyword")
            #expect((porto.results.first?["text"] as? String)?.contains("Porto, Norte") == true, "\(porto.body)")
            // The HTML document is for the kitchen group only: an API key carries no groups.
            let soup = try await pillar.search("soup salad lunch", mode: "keyword")
            #expect(soup.results.isEmpty, "\(soup.body)")
            let script = try await pillar.search("croissant", mode: "keyword")
            #expect(script.results.isEmpty)
        }
    }

    @Test(arguments: [
        (#"{"content": "no source"}"#, 400, "invalid_request"),
        (#"{"source": "a.txt"}"#, 400, "invalid_request"),
        (#"{"source": "a.txt", "content": "x", "content_base64": "eA=="}"#, 400, "invalid_request"),
        (#"{"source": "a.pdf", "content_base64": "%%%"}"#, 400, "invalid_request"),
        (#"{"source": "a.txt", "content": "x", "format": "docx"}"#, 400, "unsupported_format"),
        (#"{"source": "a.txt", "content": "x", "acl": ["bad group"]}"#, 400, "invalid_request"),
        (#"{"source": "a.txt", "content": ""}"#, 400, "empty_document"),
        (#"{"source": "a.json", "content": "{not json", "format": "json"}"#, 400, "unreadable_document"),
        (#"{"source": 7, "content": "x"}"#, 400, "invalid_field"),
    ])
    func badDocumentsAreRefusedClearly(body: String, status: Int, code: String) async throws {
        try await withRetrievalPillar { pillar in
            let response = try await pillar.request(.POST, "/v1/documents", body: body)
            #expect(response.status == status, "\(response.body)")
            #expect(response.errorCode == code, "\(response.body)")
            #expect((response.json["error"] as? [String: Any])?["message"] as? String != nil)
        }
    }

    @Test func badSearchesAndForbiddenCallsAreRefusedClearly() async throws {
        try await withRetrievalPillar { pillar in
            let user = try await pillar.request(.POST, "/v1/admin/keys", body: #"{"name": "reader", "role": "user"}"#)
            let userKey = try #require(user.json["secret"] as? String)
            let forbidden = try await pillar.ingest(["source": "a.txt", "content": "text"], key: userKey)
            #expect(forbidden.status == 403)
            #expect(try await pillar.request(.GET, "/v1/documents", key: userKey).status == 403)
            #expect(try await pillar.request(.DELETE, "/v1/documents/doc_x", key: userKey).status == 403)
            #expect(try await pillar.request(.POST, "/v1/search", key: nil, body: #"{"query": "x"}"#).status == 401)
            for (body, parameter) in [
                (#"{"query": "  "}"#, "query"), (#"{"query": "x", "top_k": 0}"#, "top_k"),
                (#"{"query": "x", "mode": "psychic"}"#, "mode"),
                (#"{"query": "x", "keyword_weight": -1}"#, "keyword_weight"),
            ] {
                let response = try await pillar.request(.POST, "/v1/search", key: userKey, body: body)
                #expect(response.status == 400, "\(body): \(response.body)")
                #expect((response.json["error"] as? [String: Any])?["param"] as? String == parameter, "\(response.body)")
            }
            let broken = try await pillar.request(
                .POST, "/v1/documents", body: "--x\r\nno headers",
                contentType: "multipart/form-data; boundary=x")
            #expect(broken.status == 400)
            #expect(broken.errorCode == "invalid_multipart")
            // Searching an empty tenant is not an error.
            let empty = try await pillar.search("anything", key: userKey)
            #expect(empty.status == 200)
            #expect(empty.results.isEmpty)
        }
    }

    @Test func searchesThatEmbedTheQueryAreRateLimitedLikeAnyModelCall() async throws {
        try await withRetrievalPillar(configure: { $0.limits.tenantDefault = UsageLimits(requestsPerMinute: 2) }) { pillar in
            #expect(try await pillar.search("first", mode: "vector").status == 200)
            #expect(try await pillar.search("second", mode: "hybrid").status == 200)
            let refused = try await pillar.search("third", mode: "vector")
            #expect(refused.status == 429, "\(refused.body)")
            #expect(refused.headers["retry-after"] != nil)
        }
    }

    /// A stopped server's vector indexes, opened as `pillar serve` opens them at start.
    func vectorIndexes(in directory: String, parameters: HNSWParameters = .init()) throws -> VectorIndexRegistry {
        VectorIndexRegistry(
            repository: SQLiteDocumentRepository(database: try PillarDatabase(dataDirectory: directory)),
            options: .init(
                parameters: parameters, exactSearchBelow: 0,
                directory: URL(fileURLWithPath: directory + "/vector-index")),
            logger: Logger(label: "test.vector-index"))
    }

    @Test func theVectorIndexIsSavedAndReloadedAcrossRestarts() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Vector searches walk the graph, so the graph read back must answer them as the saved one did.
        let configure: @Sendable (inout PillarConfiguration) -> Void = { $0.retrieval.exactSearchBelow = 0 }
        let before = try await withRetrievalPillar(dataDirectory: directory, configure: configure) { pillar in
            for index in 0..<30 {
                let response = try await pillar.ingest([
                    "source": "note-\(index).txt",
                    "content": "Note \(index) about topic \(index % 7) and item \(index * 13).",
                ])
                #expect(response.status == 201)
            }
            return try await pillar.search("topic 3 item", mode: "vector", topK: 5).results.compactMap { $0["chunk_id"] as? Int }
        }
        #expect(before.count == 5)
        #expect(FileManager.default.fileExists(atPath: directory + "/vector-index/default.hnsw"))
        // The save at shutdown holds everything: a start reads the file and has no log entry left to apply.
        let restarted = try vectorIndexes(in: directory)
        try await restarted.warmUp(tenant: "default")
        #expect(await restarted.entry(for: "default").startup == .init(loadedFile: true, replayed: 0))
        let after = try await withRetrievalPillar(dataDirectory: directory, configure: configure) { pillar in
            try await pillar.search("topic 3 item", mode: "vector", topK: 5).results.compactMap { $0["chunk_id"] as? Int }
        }
        #expect(after == before)
    }

    /// M and efConstruction shape the graph: a saved graph built with others is rebuilt, not used.
    @Test func aSavedGraphBuiltWithOtherParametersIsRebuilt() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withRetrievalPillar(dataDirectory: directory) { pillar in
            for index in 0..<4 {  // a chunk each
                let response = try await pillar.ingest(["source": "p\(index).txt", "content": "Parameter note \(index)."])
                #expect(response.status == 201)
            }
        }
        for parameters in [HNSWParameters(m: 8), HNSWParameters(efConstruction: 100)] {
            let restarted = try vectorIndexes(in: directory, parameters: parameters)
            try await restarted.warmUp(tenant: "default")
            #expect(await restarted.entry(for: "default").startup == .init(loadedFile: false, replayed: 4))
        }
        // A different efSearch alone is only a query default: the file is used.
        let restarted = try vectorIndexes(in: directory, parameters: HNSWParameters(efSearch: 10))
        try await restarted.warmUp(tenant: "default")
        #expect(await restarted.entry(for: "default").startup == .init(loadedFile: true, replayed: 0))
    }
}

/// Searches racing the index's periodic save right after a burst of ingestion: every one must be answered
/// (an earlier catch-up hand-over could spin on the index's actor forever).
@Suite struct VectorIndexConcurrencyTests {
    @Test(.timeLimit(.minutes(1)))
    func searchesAndSavesRacingOnAFreshIndexAllFinish() async throws {
        try await withRetrievalPillar(configure: { $0.retrieval.persistIntervalSeconds = 0.01 }) { pillar in
            for index in 0..<40 {
                let response = try await pillar.ingest([
                    "source": "n\(index).txt", "content": "Entry \(index) on subject \(index % 9).",
                ])
                #expect(response.status == 201)
            }
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        try await pillar.search("subject \(index % 9)", mode: index % 2 == 0 ? "vector" : "hybrid").status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
        }
    }
}

/// Deleted documents' vectors leave the saved graph too: once removed chunks are a fifth of a tenant's graph,
/// the periodic save rebuilds it from the live vectors.
@Suite struct VectorIndexCompactionTests {
    @Test(.timeLimit(.minutes(1)))
    func aGraphWithManyRemovedChunksIsRebuiltWithoutThem() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withRetrievalPillar(dataDirectory: directory, configure: { $0.retrieval.persistIntervalSeconds = 0.05 }) {
            pillar in
            var ids: [String] = []
            for index in 0..<10 {
                let response = try await pillar.ingest(["source": "c\(index).txt", "content": "Compaction note \(index)."])
                ids.append(try #require(response.document["id"] as? String))
            }
            _ = try await pillar.search("compaction note", mode: "vector")
            // Eight of ten: whenever the periodic saves happen to run between the deletions, the removals left
            // after the last rebuild are always more than a fifth of what it kept, so the end state is compacted.
            for id in ids.prefix(8) {
                #expect(try await pillar.request(.DELETE, "/v1/documents/\(id)").status == 204)
            }
            let file = URL(fileURLWithPath: directory + "/vector-index/default.hnsw")
            var stored = -1
            for _ in 0..<200 {
                try await Task.sleep(for: .milliseconds(50))
                if let saved = try? HNSWIndex.read(from: file).index, saved.count == 2 {
                    stored = saved.storedNodeCount
                    if stored == 2 { break }
                }
            }
            #expect(stored == 2, "the saved graph still holds removed nodes")
            let found = try await pillar.search("compaction note", mode: "vector", topK: 10)
            #expect(Set(found.results.compactMap { $0["document_id"] as? String }) == Set(ids.suffix(2)))
        }
    }
}

/// Two ingestions of one source never undo each other: a save states what it started from, and the store
/// refuses it when the document changed, appeared or went since (the ingestor then starts over).
@Suite struct DocumentConflictTests {
    @Test func aSaveFromAStaleReadIsRefused() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try PillarDatabase(dataDirectory: directory)
        _ = try await SQLiteTenantRepository(database: database).ensureTenant("default")
        let repository = SQLiteDocumentRepository(database: database)
        func record(version: Int, hash: String) -> DocumentRecord {
            DocumentRecord(
                id: "doc_1", tenant: "default", sourceURI: "a.txt", title: nil, format: "text", contentHash: hash,
                version: version, aclGroups: [], bytes: 1, chunkCount: 1, embeddingModel: "m",
                createdAt: 1, updatedAt: Double(version))
        }
        let chunk = ChunkRecord(ordinal: 0, text: "a", headingPath: [], start: 0, end: 1, tokenCount: 1, embedding: [1, 0])
        try await repository.saveDocument(record(version: 1, hash: "h1"), chunks: [chunk], replacing: nil)
        let first = try #require(try await repository.document(tenant: "default", id: "doc_1"))
        // A second "create" that read nothing is refused: the document exists now.
        await #expect(throws: DocumentConflict.self) {
            try await repository.saveDocument(record(version: 1, hash: "h1b"), chunks: [chunk], replacing: nil)
        }
        try await repository.saveDocument(record(version: 2, hash: "h2"), chunks: [chunk], replacing: first)
        // A writer that read version 1 before version 2 was saved may not write version 1's view back.
        await #expect(throws: DocumentConflict.self) {
            try await repository.saveDocument(record(version: 1, hash: "h1"), chunks: [chunk], replacing: first)
        }
        #expect(try await repository.document(tenant: "default", id: "doc_1")?.contentHash == "h2")
        #expect(try await repository.chunks(tenant: "default", documentID: "doc_1").count == 1)
    }

    @Test func concurrentIngestionsOfOneSourceEachLandAsAVersion() async throws {
        try await withRetrievalPillar { pillar in
            let statuses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await pillar.ingest(["source": "shared.txt", "content": "Revision number \(index) text."])
                    }
                }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0.status == 200 || $0.status == 201 }, "\(statuses.map(\.body))")
            let versions = statuses.compactMap { $0.document["version"] as? Int }.sorted()
            #expect(versions == Array(1...6), "each ingestion is its own version, none lost")
            let found = try await pillar.search("revision number text", mode: "keyword", topK: 10)
            #expect(found.results.count == 1, "one document, one chunk: \(found.body)")
        }
    }
}
