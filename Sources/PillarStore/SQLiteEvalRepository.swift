import Foundation
import GRDB
import PillarCore

/// Evaluation datasets, runs, results, baselines and gates in SQLite. Items and results (people's questions,
/// the model's answers) are encrypted under the tenant's key; run and gate records hold versions, counts and
/// verdicts only, and stay readable for listing.
public struct SQLiteEvalRepository: EvalRepository {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private func encode(_ value: some Encodable) throws -> String {
        String(decoding: try Self.encoder.encode(value), as: UTF8.self)
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ text: String) throws -> Value {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    public func saveDataset(
        tenant: String, name: String, items: [EvalItem], subjects: [String?], source: String,
        note: String?, createdBy: String
    ) async throws -> EvalDatasetVersion {
        let bodies = try items.map { try encode($0) }
        return try await database.pool.write { db in
            let latest =
                try Int.fetchOne(
                    db, sql: "SELECT max(version) FROM eval_dataset WHERE tenant_id = ? AND name = ?",
                    arguments: [tenant, name]) ?? 0
            let saved = EvalDatasetVersion(
                tenant: tenant, name: name, version: latest + 1, itemCount: items.count,
                source: source, note: note, createdBy: createdBy,
                createdAt: Date().timeIntervalSince1970)
            try db.execute(
                sql: """
                    INSERT INTO eval_dataset (tenant_id, name, version, item_count, source, note, created_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [tenant, name, saved.version, saved.itemCount, source, note, createdBy, saved.createdAt])
            for (position, body) in bodies.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO eval_item (tenant_id, dataset, version, position, subject, body) VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        tenant, name, saved.version, position,
                        position < subjects.count ? subjects[position] : nil,
                        try database.cipher.encrypt(body, tenant: tenant, in: db),
                    ])
            }
            return saved
        }
    }

    private func datasetVersion(_ row: Row) -> EvalDatasetVersion {
        EvalDatasetVersion(
            tenant: row["tenant_id"], name: row["name"], version: row["version"], itemCount: row["item_count"],
            source: row["source"], note: row["note"], createdBy: row["created_by"], createdAt: row["created_at"])
    }

    public func datasets(tenant: String) async throws -> [EvalDatasetVersion] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.* FROM eval_dataset d
                    WHERE d.tenant_id = ? AND d.version = (SELECT max(version) FROM eval_dataset
                                                            WHERE tenant_id = d.tenant_id AND name = d.name)
                    ORDER BY d.name
                    """, arguments: [tenant]
            ).map(datasetVersion)
        }
    }

    public func datasetVersions(tenant: String, name: String) async throws -> [EvalDatasetVersion] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM eval_dataset WHERE tenant_id = ? AND name = ? ORDER BY version",
                arguments: [tenant, name]
            ).map(datasetVersion)
        }
    }

    public func dataset(tenant: String, name: String, version: Int?) async throws -> EvalDatasetVersion? {
        try await database.pool.read { db in
            if let version {
                return try Row.fetchOne(
                    db, sql: "SELECT * FROM eval_dataset WHERE tenant_id = ? AND name = ? AND version = ?",
                    arguments: [tenant, name, version]
                ).map(datasetVersion)
            }
            return try Row.fetchOne(
                db, sql: "SELECT * FROM eval_dataset WHERE tenant_id = ? AND name = ? ORDER BY version DESC LIMIT 1",
                arguments: [tenant, name]
            ).map(datasetVersion)
        }
    }

    public func items(tenant: String, name: String, version: Int) async throws -> [EvalItem] {
        try await database.pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT body FROM eval_item WHERE tenant_id = ? AND dataset = ? AND version = ? ORDER BY position
                    """, arguments: [tenant, name, version]
            ).map { stored in
                try decode(EvalItem.self, try database.cipher.decrypt(stored, tenant: tenant, in: db))
            }
        }
    }

    public func createRun(_ run: EvalRunRecord) async throws {
        let record = try encode(run)
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO eval_run (id, tenant_id, dataset, status, record, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [run.id, run.tenant, run.spec.dataset, run.status.rawValue, record, run.createdAt])
        }
    }

    public func updateRun(_ run: EvalRunRecord) async throws {
        let record = try encode(run)
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE eval_run SET status = ?, record = ? WHERE id = ? AND tenant_id = ?",
                arguments: [run.status.rawValue, record, run.id, run.tenant])
        }
    }

    public func run(id: String, tenant: String) async throws -> EvalRunRecord? {
        try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT record FROM eval_run WHERE id = ? AND tenant_id = ?", arguments: [id, tenant])
                .map { try decode(EvalRunRecord.self, $0) }
        }
    }

    public func runs(tenant: String, dataset: String?, limit: Int) async throws -> [EvalRunRecord] {
        try await database.pool.read { db in
            let records: [String]
            if let dataset {
                records = try String.fetchAll(
                    db,
                    sql: """
                        SELECT record FROM eval_run WHERE tenant_id = ? AND dataset = ? ORDER BY created_at DESC, id LIMIT ?
                        """, arguments: [tenant, dataset, limit])
            } else {
                records = try String.fetchAll(
                    db,
                    sql: """
                        SELECT record FROM eval_run WHERE tenant_id = ? ORDER BY created_at DESC, id LIMIT ?
                        """, arguments: [tenant, limit])
            }
            return try records.map { try decode(EvalRunRecord.self, $0) }
        }
    }

    public func saveResult(_ result: EvalResult, run: EvalRunRecord) async throws {
        let body = try encode(result)
        let record = try encode(run)
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO eval_result (run_id, item_id, repeat, body) VALUES (?, ?, ?, ?)
                    ON CONFLICT (run_id, item_id, repeat) DO UPDATE SET body = excluded.body
                    """,
                arguments: [
                    result.runID, result.itemID, result.repeatIndex,
                    try database.cipher.encrypt(body, tenant: run.tenant, in: db),
                ])
            try db.execute(
                sql: "UPDATE eval_run SET status = ?, record = ? WHERE id = ? AND tenant_id = ?",
                arguments: [run.status.rawValue, record, run.id, run.tenant])
        }
    }

    public func results(runID: String, tenant: String) async throws -> [EvalResult] {
        try await database.pool.read { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM eval_run WHERE id = ? AND tenant_id = ?",
                    arguments: [runID, tenant]) == true
            else { return [] }
            return try String.fetchAll(
                db, sql: "SELECT body FROM eval_result WHERE run_id = ? ORDER BY item_id, repeat",
                arguments: [runID]
            ).map { stored in
                try decode(EvalResult.self, try database.cipher.decrypt(stored, tenant: tenant, in: db))
            }
        }
    }

    public func markRunningInterrupted() async throws -> Int {
        try await database.pool.write { db in
            let stale = try Row.fetchAll(db, sql: "SELECT id, record FROM eval_run WHERE status = 'running'")
            for row in stale {
                var run = try decode(EvalRunRecord.self, row["record"])
                run.status = .interrupted
                run.error = "The server stopped while the run was going; resume it to finish the remaining items."
                try db.execute(
                    sql: "UPDATE eval_run SET status = ?, record = ? WHERE id = ?",
                    arguments: [run.status.rawValue, try encode(run), run.id])
            }
            return stale.count
        }
    }

    public func setBaseline(tenant: String, _ baseline: EvalBaseline) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO eval_baseline (tenant_id, dataset, flow, run_id, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (tenant_id, dataset, flow) DO UPDATE
                    SET run_id = excluded.run_id, set_by = excluded.set_by, set_at = excluded.set_at
                    """, arguments: [tenant, baseline.dataset, baseline.flow, baseline.runID, baseline.setBy, baseline.setAt])
        }
    }

    private func baseline(_ row: Row) -> EvalBaseline {
        EvalBaseline(dataset: row["dataset"], flow: row["flow"], runID: row["run_id"], setBy: row["set_by"], setAt: row["set_at"])
    }

    public func baseline(tenant: String, dataset: String, flow: String) async throws -> EvalBaseline? {
        try await database.pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM eval_baseline WHERE tenant_id = ? AND dataset = ? AND flow = ?",
                arguments: [tenant, dataset, flow]
            ).map(baseline)
        }
    }

    public func baselines(tenant: String) async throws -> [EvalBaseline] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM eval_baseline WHERE tenant_id = ? ORDER BY dataset, flow",
                arguments: [tenant]
            ).map(baseline)
        }
    }

    public func saveGate(_ gate: EvalGateRecord) async throws {
        let record = try encode(gate)
        try await database.pool.write { db in
            try db.execute(
                sql: "INSERT INTO eval_gate (id, tenant_id, passed, record, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [gate.id, gate.tenant, gate.passed, record, gate.createdAt])
        }
    }

    public func gates(tenant: String, limit: Int) async throws -> [EvalGateRecord] {
        try await database.pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT record FROM eval_gate WHERE tenant_id = ? ORDER BY created_at DESC, id LIMIT ?",
                arguments: [tenant, limit]
            ).map { try decode(EvalGateRecord.self, $0) }
        }
    }

    public func passingGate(tenant: String, kind: LibraryKind, name: String, version: Int) async throws -> EvalGateRecord? {
        try await database.pool.read { db in
            let cursor = try String.fetchCursor(
                db,
                sql: """
                    SELECT record FROM eval_gate WHERE tenant_id = ? AND passed = 1 ORDER BY created_at DESC, id
                    """, arguments: [tenant])
            while let record = try cursor.next() {
                let gate = try decode(EvalGateRecord.self, record)
                if gate.vouches(for: kind, name: name, version: version) { return gate }
            }
            return nil
        }
    }
}
