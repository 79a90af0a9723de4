import Foundation
import GRDB
import PillarCore

/// Quality samples, canary analyses and monitor states. A sample's columns are what queries filter and
/// update on; the rest of it is a JSON body. Query vectors are encrypted with the tenant's key.
public struct SQLiteQualityRepository: QualityRepository {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func saveSamples(_ samples: [QualitySample]) async throws {
        guard !samples.isEmpty else { return }
        let encoder = JSONEncoder()
        let rows = try samples.map { ($0, String(decoding: try encoder.encode($0), as: UTF8.self)) }
        try await database.pool.write { db in
            for (sample, body) in rows {
                // A tenant erased or deleted meanwhile has no row to hang the sample on.
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tenant WHERE id = ?", arguments: [sample.tenant]) ?? false else {
                    continue
                }
                try db.execute(
                    sql: """
                        INSERT INTO quality_sample (tenant_id, trace_id, subject, created_at, flow, flow_version, label,
                                                    judgement, groundedness, relevance, thumbs_down, body)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(tenant_id, trace_id) DO NOTHING
                        """,
                    arguments: [
                        sample.tenant, sample.traceID, sample.subject, sample.createdAt, sample.flow,
                        sample.flowVersion, sample.label, sample.judgement.rawValue, sample.groundedness,
                        sample.relevance, sample.thumbsDown, body,
                    ])
            }
        }
    }

    public func updateJudgement(
        traceID: String, tenant: String, judgement: QualitySample.Judgement,
        groundedness: Double?, relevance: Double?
    ) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE quality_sample SET judgement = ?, groundedness = ?, relevance = ? WHERE tenant_id = ? AND trace_id = ?
                    """, arguments: [judgement.rawValue, groundedness, relevance, tenant, traceID])
        }
    }

    public func setThumbsDown(traceID: String, tenant: String, thumbsDown: Bool) async throws -> Bool {
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE quality_sample SET thumbs_down = ? WHERE tenant_id = ? AND trace_id = ?",
                arguments: [thumbsDown, tenant, traceID])
            return db.changesCount > 0
        }
    }

    public func saveQueryVector(traceID: String, tenant: String, vector: [Float]) async throws {
        let encoded = VectorBytes.encode(vector).base64EncodedString()
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE quality_sample SET query_vector = ? WHERE tenant_id = ? AND trace_id = ?",
                arguments: [try database.cipher.encrypt(encoded, tenant: tenant, in: db), tenant, traceID])
        }
    }

    public func samples(_ query: QualitySampleQuery) async throws -> [QualitySample] {
        var sql = """
            SELECT body, judgement, groundedness, relevance, thumbs_down FROM quality_sample
            WHERE created_at >= ? AND created_at < ?
            """
        var arguments: StatementArguments = [query.from, query.to]
        if let tenant = query.tenant {
            sql += " AND tenant_id = ?"
            arguments += [tenant]
        }
        if let flow = query.flow {
            sql += " AND flow = ?"
            arguments += [flow]
        }
        // The newest `limit` of the range: a busy day must not push the last minutes out of a window.
        sql += " ORDER BY created_at DESC, trace_id DESC LIMIT ?"
        arguments += [max(0, query.limit)]
        let finalSQL = sql
        let finalArguments = arguments
        return try await database.pool.read { db in
            Array(try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map(Self.sample).reversed())
        }
    }

    public func sampleTenants(from: Double, to: Double) async throws -> [String] {
        try await database.pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT tenant_id FROM quality_sample WHERE created_at >= ? AND created_at < ? ORDER BY tenant_id
                    """, arguments: [from, to])
        }
    }

    public func sample(traceID: String, tenant: String) async throws -> QualitySample? {
        try await database.pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT body, judgement, groundedness, relevance, thumbs_down FROM quality_sample
                    WHERE tenant_id = ? AND trace_id = ?
                    """, arguments: [tenant, traceID]
            ).map(Self.sample)
        }
    }

    /// The body holds what never changes; the columns hold what the evaluator and feedback update later.
    static func sample(_ row: Row) throws -> QualitySample {
        var sample = try JSONDecoder().decode(QualitySample.self, from: Data((row["body"] as String).utf8))
        sample.judgement = QualitySample.Judgement(rawValue: row["judgement"]) ?? .failed
        sample.groundedness = row["groundedness"]
        sample.relevance = row["relevance"]
        sample.thumbsDown = row["thumbs_down"]
        return sample
    }

    public func queryVectors(
        tenant: String, flow: String, label: String?, from: Double, to: Double,
        limit: Int
    ) async throws -> [[Float]] {
        try await database.pool.read { db in
            let rows = try String.fetchAll(
                db,
                sql: """
                    SELECT query_vector FROM quality_sample
                    WHERE tenant_id = ? AND flow = ? AND label IS ? AND created_at >= ? AND created_at < ?
                      AND query_vector IS NOT NULL
                    ORDER BY trace_id LIMIT ?
                    """, arguments: [tenant, flow, label, from, to, max(0, limit)])
            return try rows.compactMap { stored in
                let encoded = try database.cipher.decrypt(stored, tenant: tenant, in: db)
                return Data(base64Encoded: encoded).map(VectorBytes.decode)
            }
        }
    }

    public func failPendingJudgements() async throws -> Int {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE quality_sample SET judgement = 'failed' WHERE judgement = 'pending'")
            return db.changesCount
        }
    }

    public func saveAnalysis(_ analysis: StoredCanaryAnalysis) async throws {
        let record = String(decoding: try JSONEncoder().encode(analysis), as: UTF8.self)
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO canary_analysis (id, tenant_id, kind, name, label, status, record, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET status = excluded.status, record = excluded.record,
                        updated_at = excluded.updated_at
                    """,
                arguments: [
                    analysis.id, analysis.tenant, analysis.kind.rawValue, analysis.name, analysis.label,
                    analysis.status, record, analysis.createdAt, analysis.updatedAt,
                ])
        }
    }

    public func analysis(id: String, tenant: String) async throws -> StoredCanaryAnalysis? {
        try await database.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT record FROM canary_analysis WHERE id = ? AND tenant_id = ?",
                arguments: [id, tenant]
            ).map(Self.analysis)
        }
    }

    public func latestAnalysis(tenant: String, kind: LibraryKind, name: String, label: String) async throws
        -> StoredCanaryAnalysis?
    {
        try await database.pool.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT record FROM canary_analysis WHERE tenant_id = ? AND kind = ? AND name = ? AND label = ?
                    ORDER BY created_at DESC, rowid DESC LIMIT 1
                    """, arguments: [tenant, kind.rawValue, name, label]
            ).map(Self.analysis)
        }
    }

    public func activeAnalyses() async throws -> [StoredCanaryAnalysis] {
        try await database.pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT record FROM canary_analysis WHERE status IN ('running', 'paused') ORDER BY created_at
                    """
            ).map(Self.analysis)
        }
    }

    static func analysis(_ record: String) throws -> StoredCanaryAnalysis {
        try JSONDecoder().decode(StoredCanaryAnalysis.self, from: Data(record.utf8))
    }

    public func monitorStates() async throws -> [String: String] {
        try await database.pool.read { db in
            var states: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, state FROM monitor_state") {
                states[row["key"]] = row["state"]
            }
            return states
        }
    }

    public func saveMonitorState(key: String, monitor: String, state: String) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO monitor_state (key, monitor, state) VALUES (?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET state = excluded.state
                    """, arguments: [key, monitor, state])
        }
    }
}
