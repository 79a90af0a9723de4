import Foundation
import GRDB
import PillarCore
import Testing

@testable import PillarServer
@testable import PillarStore

/// The append-only, hash-chained audit log: administrative actions are recorded, the database refuses to
/// change or remove records, and a tampered record breaks the chain where it was changed.
@Suite struct AuditLogTests {
    @Test func adminActionsAreRecordedAndTheChainVerifies() async throws {
        try await withRetrievalPillar { pillar in
            let created = try await pillar.request(.POST, "/v1/admin/keys", body: #"{"name": "bot", "role": "user"}"#)
            let keyID = try #require((created.json["key"] as? [String: Any])?["id"] as? String)
            #expect(try await pillar.request(.DELETE, "/v1/admin/keys/\(keyID)").status == 204)
            #expect(
                try await pillar.request(.PUT, "/v1/admin/prompts/rag-answer/labels/staging", body: #"{"version": 1}"#).status
                    == 200)
            let document = try await pillar.ingest(["source": "a.txt", "content": "Some text."])
            let documentID = try #require(document.document["id"] as? String)
            #expect(try await pillar.request(.DELETE, "/v1/documents/\(documentID)").status == 204)
            let stranger = try await pillar.newKey(tenant: "other", role: .admin)
            _ = try await pillar.request(.POST, "/v1/admin/keys", key: stranger, body: #"{"name": "theirs"}"#)

            let listed = try await pillar.request(.GET, "/v1/admin/audit")
            let events = try #require(listed.json["data"] as? [[String: Any]])
            #expect(
                events.compactMap { $0["action"] as? String } == [
                    "document.delete", "document.ingest", "prompt.label", "key.revoke", "key.create",
                ])
            #expect(events.allSatisfy { $0["tenant"] as? String == "default" })
            #expect(
                (events.first { $0["action"] as? String == "prompt.label" }?["details"] as? [String: String])?["split"] == "1:100"
            )
            #expect(events.first { $0["action"] as? String == "key.create" }?["target"] as? String == keyID)

            let database = try PillarDatabase(dataDirectory: pillar.dataDirectory)
            let log = SQLiteAuditLog(database: database)
            let verification = try await log.verify()
            #expect(verification.isIntact)
            #expect(verification.events == 6)
        }
    }

    /// `GET /v1/admin/audit/verification` walks the whole chain; where it breaks is told to the platform's admins
    /// and to the tenant whose record broke, not to other tenants. A walk serves for a few seconds, so the break is
    /// looked for by a second start on the same data.
    @Test func theVerificationRouteLocatesABreakOnlyForThoseItConcerns() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (other, third) = try await withPillar(dataDirectory: directory) { pillar in
            let other = try await pillar.newKey(tenant: "other", role: .admin)
            let third = try await pillar.newKey(tenant: "third", role: .admin)
            _ = try await pillar.request(.POST, "/v1/admin/keys", body: #"{"name": "ours"}"#)
            _ = try await pillar.request(.POST, "/v1/admin/keys", key: other, body: #"{"name": "theirs"}"#)
            _ = try await pillar.request(.POST, "/v1/admin/keys", body: #"{"name": "ours again"}"#)

            let intact = try await pillar.request(.GET, "/v1/admin/audit/verification", key: third)
            #expect(intact.status == 200)
            #expect(intact.json["intact"] as? Bool == true)
            #expect(intact.json["events"] as? Int == 3)
            #expect(intact.json["first_broken_seq"] is NSNull)
            return (other, third)
        }

        let database = try PillarDatabase(dataDirectory: directory)
        try await database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET target = 'forged' WHERE tenant_id = 'other'")
        }
        try await withPillar(dataDirectory: directory) { pillar in
            let platform = try await pillar.request(.GET, "/v1/admin/audit/verification")
            #expect(platform.json["intact"] as? Bool == false)
            #expect(platform.json["first_broken_seq"] as? Int == 2)
            #expect((platform.json["problem"] as? String)?.contains("changed") == true)
            let owner = try await pillar.request(.GET, "/v1/admin/audit/verification", key: other)
            #expect(owner.json["first_broken_seq"] as? Int == 2)
            let bystander = try await pillar.request(.GET, "/v1/admin/audit/verification", key: third)
            #expect(bystander.json["intact"] as? Bool == false)
            #expect(bystander.json["first_broken_seq"] is NSNull)
            #expect((bystander.json["problem"] as? String)?.contains("another tenant") == true)
            #expect(try await pillar.request(.GET, "/v1/admin/audit/verification", key: try await pillar.newKey()).status == 403)
        }
    }

    /// Requests that come together share one walk of the chain, and a walk serves until it is `freshFor` old.
    @Test func verificationsAreSharedAndServeForAWhile() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = SQLiteAuditLog(database: try PillarDatabase(dataDirectory: directory))
        try await log.append(tenant: "t", actor: "a", action: "key.create", target: "k1", details: [:])
        let check = AuditChainCheck(audit: log, freshFor: .seconds(3600))
        let results = try await withThrowingTaskGroup(of: AuditChainCheck.Result.self) { group in
            for _ in 0..<20 { group.addTask { try await check.verify() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(results.map(\.verifiedAt)).count == 1, "one walk for all twenty")
        try await log.append(tenant: "t", actor: "a", action: "key.create", target: "k2", details: [:])
        #expect(try await check.verify().verification.events == 1, "still fresh: the walk before the append")
        let fresh = AuditChainCheck(audit: log, freshFor: .zero)
        #expect(try await fresh.verify().verification.events == 2)
    }

    @Test func theDatabaseRefusesChangesAndVerifyFindsTampering() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try PillarDatabase(dataDirectory: directory)
        let log = SQLiteAuditLog(database: database)
        for index in 1...5 {
            try await log.append(
                tenant: "t", actor: "admin", action: "key.create", target: "key_\(index)", details: ["n": "\(index)"])
        }
        #expect(try await log.verify().isIntact)
        await #expect(throws: (any Error).self) {
            try await database.pool.write { db in try db.execute(sql: "UPDATE audit_log SET target = 'x' WHERE seq = 3") }
        }
        await #expect(throws: (any Error).self) {
            try await database.pool.write { db in try db.execute(sql: "DELETE FROM audit_log WHERE seq = 5") }
        }
        // Someone with the file drops the guard and edits a record: the chain shows where.
        try await database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET details = '{\"n\":\"9\"}' WHERE seq = 3")
        }
        let broken = try await log.verify()
        #expect(broken.firstBrokenSeq == 3)
        #expect(broken.problem?.contains("changed") == true)
    }
}
