import Crypto
import Foundation
import GRDB
import PillarCore
import Testing

@testable import PillarServer
@testable import PillarStore

/// Conversation turns, their citations, answer traces and document text are encrypted in the SQLite file:
/// the file (and its write-ahead log) holds none of their plaintext, while the API reads them back whole.
@Suite struct EncryptionAtRestTests {
    static let secretSentence = "The quarterly zanzibar ledger closes on the ninth of Quintember."
    static let question = "When does the quarterly zanzibar ledger close?"

    /// Every byte the database keeps on disk, after the WAL was written back.
    func databaseBytes(_ directory: String) throws -> Data {
        let database = try PillarDatabase(dataDirectory: directory)
        try database.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        var bytes = Data()
        for suffix in ["", "-wal", "-shm"] {
            let path = (directory as NSString).appendingPathComponent("pillar.sqlite" + suffix)
            if let data = FileManager.default.contents(atPath: path) { bytes.append(data) }
        }
        return bytes
    }

    @Test func theDatabaseFileHoldsNoPlaintextOfConversationsDocumentsOrTraces() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withRetrievalPillar(dataDirectory: directory) { pillar in
            #expect(
                try await pillar.ingest(["source": "ledger.md", "content": "# Ledger\n\n" + Self.secretSentence]).status == 201)
            let answer = try await pillar.ask(Self.question)
            #expect(answer.status == 200, "\(answer.body)")
            #expect((answer.json["answer"] as? String)?.contains(Self.secretSentence) == true)
            let conversation = try #require(answer.json["conversation_id"] as? String)
            // Read back whole through the API.
            let read = try await pillar.request(.GET, "/v1/conversations/\(conversation)")
            #expect(read.json["title"] as? String == Self.question)
            let messages = read.json["messages"] as? [[String: Any]] ?? []
            #expect(messages.first?["content"] as? String == Self.question)
            #expect(
                ((messages.last?["citations"] as? [[String: Any]])?.first?["text"] as? String)?.contains(Self.secretSentence)
                    == true)
            let trace = try await pillar.request(.GET, "/v1/traces/\(answer.json["trace_id"] as? String ?? "")")
            #expect(trace.json["standalone_query"] as? String == Self.question)
            #expect(try await pillar.search("zanzibar ledger", mode: "keyword").results.count == 1)
        }
        let bytes = try databaseBytes(directory)
        #expect(bytes.count > 10_000)
        for plaintext in [Self.secretSentence, Self.question, "ninth of Quintember", "zanzibar ledger close"] {
            #expect(bytes.range(of: Data(plaintext.utf8)) == nil, "'\(plaintext)' is in the database file")
        }
        let keyFile = (directory as NSString).appendingPathComponent("master.key")
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func deletingAnEncryptedDocumentEmptiesTheContentlessIndex() async throws {
        try await withRetrievalPillar { pillar in
            let kept = try await pillar.ingest(["source": "kept.txt", "content": "Quarterly planning happens in March."])
            let doomed = try await pillar.ingest([
                "source": "doomed.txt", "title": "Doomed",
                "content": "The zanzibarite project codename is secret.",
            ])
            let id = try #require(doomed.document["id"] as? String)
            #expect(kept.status == 201)
            #expect(try await pillar.search("zanzibarite codename", mode: "keyword").results.count == 1)
            // Re-ingesting with new text replaces the indexed terms too.
            _ = try await pillar.ingest([
                "source": "doomed.txt", "title": "Doomed", "content": "The project is now called orchid.",
            ])
            #expect(try await pillar.search("zanzibarite", mode: "keyword").results.isEmpty)
            #expect(try await pillar.search("orchid", mode: "keyword").results.count == 1)
            #expect(try await pillar.request(.DELETE, "/v1/documents/\(id)").status == 204)
            #expect(try await pillar.search("orchid", mode: "keyword").results.isEmpty)
            #expect(try await pillar.search("quarterly planning", mode: "keyword").results.count == 1)
        }
    }

    @Test func plaintextFromBeforeEncryptionIsSealedByTheBackfill() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withRetrievalPillar(dataDirectory: directory) { pillar in
            let ingested = try await pillar.ingest(["source": "ledger.md", "content": "# Ledger\n\n" + Self.secretSentence])
            #expect(ingested.status == 201)
        }
        let database = try PillarDatabase(dataDirectory: directory)
        // What an older Pillar left: plaintext rows.
        try await database.pool.write { db in
            try db.execute(
                sql:
                    "INSERT INTO conversation (id, tenant_id, subject, title, message_count, created_at, updated_at) VALUES ('conv_old', 'default', 'alice', 'Old title', 1, 0, 0)"
            )
            try db.execute(
                sql:
                    "INSERT INTO conversation_message (id, conversation_id, role, content, citations, created_at) VALUES ('msg_old', 'conv_old', 'user', 'An old question about the ledger', '[]', 0)"
            )
            try db.execute(sql: "UPDATE chunk SET text = ?", arguments: [Self.secretSentence])
        }
        let sealed = try await EncryptionBackfill.run(database, batchSize: 1)
        #expect(
            sealed["conversation.title"] == 1 && sealed["conversation_message.content"] == 1 && sealed["chunk.text"] == 1,
            "\(sealed)")
        let raw = try await database.pool.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT title FROM conversation UNION ALL SELECT content FROM conversation_message UNION ALL SELECT text FROM chunk"
            )
        }
        #expect(raw.count == 3 && raw.allSatisfy { $0.hasPrefix("enc1:") })
        let messages = try await SQLiteConversationRepository(database: database).messages(
            conversation: "conv_old", tenant: "default",
            subject: "alice", limit: 10)
        #expect(messages.first?.content == "An old question about the ledger")
        #expect(
            try await SQLiteDocumentRepository(database: database).chunkHits(tenant: "default", ids: [1])[1]?.text
                == Self.secretSentence)
        #expect(try await EncryptionBackfill.run(database).values.reduce(0, +) == 0, "nothing left to seal")
    }

    @Test func encryptedDataWithoutItsMasterKeyRefusesToOpenRatherThanMakeANewKey() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try PillarDatabase(dataDirectory: directory)
        _ = try await SQLiteTenantRepository(database: first).ensureTenant("default")
        _ = try await SQLiteConversationRepository(database: first).createConversation(
            tenant: "default", subject: "a", title: "t")
        let keyFile = (directory as NSString).appendingPathComponent("master.key")
        try FileManager.default.removeItem(atPath: keyFile)
        #expect(throws: MasterKeyError.self) { _ = try PillarDatabase(dataDirectory: directory) }
        #expect(!FileManager.default.fileExists(atPath: keyFile), "no stray key is left behind")
    }

    @Test func rotatingTheMasterKeyRewrapsDataKeysWithoutTouchingData() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = MasterKey(key: SymmetricKey(size: .bits256), source: "old")
        let new = MasterKey(key: SymmetricKey(size: .bits256), source: "new")
        let first = try PillarDatabase(dataDirectory: directory, masterKey: old)
        for tenant in ["default", "other"] { _ = try await SQLiteTenantRepository(database: first).ensureTenant(tenant) }
        let conversations = SQLiteConversationRepository(database: first)
        let record = try await conversations.createConversation(tenant: "default", subject: "alice", title: "Private title")
        let before = try await first.pool.read { db in try String.fetchOne(db, sql: "SELECT title FROM conversation") }
        #expect(try await FieldCipher.rotate(first, from: old, to: new) == 1)
        let after = try await first.pool.read { db in try String.fetchOne(db, sql: "SELECT title FROM conversation") }
        #expect(before == after, "the data is not re-encrypted")

        let reopened = try PillarDatabase(dataDirectory: directory, masterKey: new)
        let read = try await SQLiteConversationRepository(database: reopened)
            .conversation(id: record.id, tenant: "default", subject: "alice")
        #expect(read?.title == "Private title")
        let stale = try PillarDatabase(dataDirectory: directory, masterKey: old)
        await #expect(throws: CipherError.self) {
            _ = try await SQLiteConversationRepository(database: stale).conversation(
                id: record.id, tenant: "default", subject: "alice")
        }
        // A value copied into another tenant's rows does not decrypt there.
        _ = try await SQLiteConversationRepository(database: reopened).createConversation(
            tenant: "other", subject: "bob", title: "x")
        await #expect(throws: (any Error).self) {
            try await reopened.pool.read { db in _ = try reopened.cipher.decrypt(before ?? "", tenant: "other", in: db) }
        }
    }
}
