import Foundation
import GRDB
import PillarCore

/// Backups taken, isolation probe rounds and load tests reported, in SQLite. Probe rounds and load tests are
/// kept whole as JSON (they hold no personal data); only the newest matter to the review, so old ones are
/// pruned as new ones arrive.
public struct SQLiteAssuranceRepository: AssuranceRepository {
    let database: PillarDatabase
    /// Probe rounds and load tests kept; older ones are deleted.
    static let kept = 500

    public init(database: PillarDatabase) { self.database = database }

    public func recordBackup(_ backup: BackupRecord) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO backup_record (id, at, directory, audit_head_seq, audit_head_hash, bytes) VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [backup.id, backup.at, backup.directory, backup.auditHeadSeq, backup.auditHeadHash, backup.bytes])
        }
    }

    public func latestBackup() async throws -> BackupRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM backup_record ORDER BY at DESC LIMIT 1").map { row in
                BackupRecord(
                    id: row["id"], at: row["at"], directory: row["directory"], auditHeadSeq: row["audit_head_seq"],
                    auditHeadHash: row["audit_head_hash"], bytes: row["bytes"])
            }
        }
    }

    public func saveProbeRun(_ run: IsolationProbeRun) async throws {
        let record = String(decoding: try JSONEncoder().encode(run), as: UTF8.self)
        try await database.pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO isolation_probe_run (id, started_at, status, record) VALUES (?, ?, ?, ?)",
                arguments: [run.id, run.startedAt, run.status.rawValue, record])
            try db.execute(
                sql: """
                    DELETE FROM isolation_probe_run WHERE id NOT IN
                        (SELECT id FROM isolation_probe_run ORDER BY started_at DESC LIMIT ?)
                    """, arguments: [Self.kept])
        }
    }

    public func latestProbeRun() async throws -> IsolationProbeRun? {
        let record = try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT record FROM isolation_probe_run ORDER BY started_at DESC LIMIT 1")
        }
        return try record.map { try JSONDecoder().decode(IsolationProbeRun.self, from: Data($0.utf8)) }
    }

    public func recordLoadTest(_ test: LoadTestRecord) async throws {
        let record = String(decoding: try JSONEncoder().encode(test), as: UTF8.self)
        try await database.pool.write { db in
            try db.execute(sql: "INSERT INTO load_test (id, at, record) VALUES (?, ?, ?)", arguments: [test.id, test.at, record])
            try db.execute(
                sql: "DELETE FROM load_test WHERE id NOT IN (SELECT id FROM load_test ORDER BY at DESC LIMIT ?)",
                arguments: [Self.kept])
        }
    }

    public func loadTests(limit: Int) async throws -> [LoadTestRecord] {
        let records = try await database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT record FROM load_test ORDER BY at DESC LIMIT ?", arguments: [limit])
        }
        return try records.map { try JSONDecoder().decode(LoadTestRecord.self, from: Data($0.utf8)) }
    }
}
