import Crypto
import Foundation
import GRDB
import PillarCore

/// The audit log in SQLite: triggers refuse every UPDATE and DELETE, and each record carries the SHA-256 of
/// its own fields and of the record before it.
public struct SQLiteAuditLog: AuditLog {
    let database: PillarDatabase
    static let genesis = String(repeating: "0", count: 64)

    public init(database: PillarDatabase) { self.database = database }

    @discardableResult
    public func append(
        tenant: String, actor: String, action: String, target: String,
        details: [String: String]
    ) async throws -> AuditEvent {
        try await database.pool.write { db in
            let head = try Self.head(db)
            let seq = head.seq + 1
            let previous = head.hash
            var event = AuditEvent(
                seq: seq, at: Date().timeIntervalSince1970, tenant: tenant, actor: actor,
                action: action, target: target, details: details, previousHash: previous, hash: "")
            event.hash = Self.hash(of: event)
            try db.execute(
                sql: """
                    INSERT INTO audit_log (seq, at, tenant_id, actor, action, target, details, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    event.seq, event.at, tenant, actor, action, target, Self.canonical(details),
                    previous, event.hash,
                ])
            return event
        }
    }

    public func events(tenant: String?, after: Int64?, limit: Int) async throws -> [AuditEvent] {
        try await database.pool.read { db in
            let before = after ?? Int64.max
            let rows =
                tenant == nil
                ? try Row.fetchAll(
                    db, sql: "SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?",
                    arguments: [before, limit])
                : try Row.fetchAll(
                    db, sql: "SELECT * FROM audit_log WHERE tenant_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                    arguments: [tenant, before, limit])
            return rows.map(Self.event(from:))
        }
    }

    public func verify() async throws -> AuditVerification {
        try await database.pool.read { db in try Self.verify(db) }
    }

    /// The newest record's sequence and hash (0 and the genesis hash for an empty chain), in `db`.
    static func head(_ db: Database) throws -> (seq: Int64, hash: String) {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        return (last?["seq"] ?? 0, last?["hash"] ?? Self.genesis)
    }

    /// Walks the whole chain in `db` (the live database, or a backup's copy).
    static func verify(_ db: Database) throws -> AuditVerification {
        var previous = Self.genesis
        var expectedSeq: Int64 = 1
        var count = 0
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
        while let row = try cursor.next() {
            let event = Self.event(from: row)
            count += 1
            if event.seq != expectedSeq {
                return AuditVerification(
                    events: count, firstBrokenSeq: event.seq, firstBrokenTenant: event.tenant,
                    problem: "record \(expectedSeq) is missing")
            }
            if event.previousHash != previous {
                return AuditVerification(
                    events: count, firstBrokenSeq: event.seq, firstBrokenTenant: event.tenant,
                    problem: "record \(event.seq) does not link to the record before it")
            }
            if Self.hash(of: event) != event.hash {
                return AuditVerification(
                    events: count, firstBrokenSeq: event.seq, firstBrokenTenant: event.tenant,
                    problem: "record \(event.seq) was changed after it was written")
            }
            previous = event.hash
            expectedSeq += 1
        }
        return AuditVerification(events: count, firstBrokenSeq: nil, problem: nil)
    }

    /// SHA-256 over every field but the hash, in a fixed order, with the details as sorted JSON.
    static func hash(of event: AuditEvent) -> String {
        let fields = [
            String(event.seq), String(format: "%.6f", event.at), event.tenant, event.actor, event.action,
            event.target, canonical(event.details), event.previousHash,
        ]
        let joined = fields.map { "\($0.utf8.count):\($0)" }.joined()
        return SHA256.hash(data: Data(joined.utf8)).hexString
    }

    static func canonical(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(details)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func event(from row: Row) -> AuditEvent {
        let details =
            (try? JSONDecoder().decode([String: String].self, from: Data((row["details"] as String? ?? "{}").utf8))) ?? [:]
        return AuditEvent(
            seq: row["seq"], at: row["at"], tenant: row["tenant_id"], actor: row["actor"], action: row["action"],
            target: row["target"], details: details, previousHash: row["previous_hash"], hash: row["hash"])
    }
}
