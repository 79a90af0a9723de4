import Foundation
import GRDB
import PillarCore

/// Answer traces, one encrypted JSON document each (Swift's own key names; the API renders them in snake_case), keyed by tenant so that one tenant's id finds nothing in another's.
public struct SQLiteFlowTraceRepository: FlowTraceRepository {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func saveTrace(_ trace: FlowTrace) async throws {
        let body = String(decoding: try JSONEncoder().encode(trace), as: UTF8.self)
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO flow_trace (tenant_id, id, subject, conversation_id, body, created_at, flow_name,
                        flow_version, flow_label, status, error_code, duration_ms, total_tokens)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    trace.tenant, trace.id, trace.subject, trace.conversationID,
                    try database.cipher.encrypt(body, tenant: trace.tenant, in: db), trace.createdAt, trace.flow.name,
                    trace.flow.version, trace.flow.label, trace.status.rawValue, trace.errorCode, trace.durationMs,
                    trace.usage.totalTokens,
                ])
        }
    }

    public func trace(id: String, tenant: String) async throws -> FlowTrace? {
        let body = try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT body FROM flow_trace WHERE tenant_id = ? AND id = ?", arguments: [tenant, id])
                .map { try database.cipher.decrypt($0, tenant: tenant, in: db) }
        }
        return try body.map { try JSONDecoder().decode(FlowTrace.self, from: Data($0.utf8)) }
    }

    public func recentTraces(tenant: String, limit: Int) async throws -> [FlowTrace] {
        let bodies = try await database.pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT body FROM flow_trace WHERE tenant_id = ? ORDER BY created_at DESC, id LIMIT ?",
                arguments: [tenant, limit]
            ).map { try database.cipher.decrypt($0, tenant: tenant, in: db) }
        }
        return try bodies.map { try JSONDecoder().decode(FlowTrace.self, from: Data($0.utf8)) }
    }

    public func searchTraces(tenant: String, matching search: TraceSearch) async throws -> [TraceSummary] {
        try await database.pool.read { db in
            var conditions = ["tenant_id = ?"]
            var arguments: StatementArguments = [tenant]
            if let subject = search.subject {
                conditions.append("subject = ?")
                arguments += [subject]
            }
            if let flow = search.flow {
                conditions.append("flow_name = ?")
                arguments += [flow]
            }
            if let status = search.status {
                conditions.append("status = ?")
                arguments += [status.rawValue]
            }
            if let from = search.from {
                conditions.append("created_at >= ?")
                arguments += [from]
            }
            if let to = search.to {
                conditions.append("created_at < ?")
                arguments += [to]
            }
            if let after = search.after {
                guard
                    let cursor = try Double.fetchOne(
                        db, sql: "SELECT created_at FROM flow_trace WHERE tenant_id = ? AND id = ?", arguments: [tenant, after])
                else { throw PillarError.invalidCursor(after) }
                conditions.append("(created_at < ? OR (created_at = ? AND id < ?))")
                arguments += [cursor, cursor, after]
            }
            arguments += [search.limit]
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT id, subject, conversation_id, flow_name, flow_version, flow_label, status, error_code,
                        duration_ms, total_tokens, created_at
                    FROM flow_trace WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY created_at DESC, id DESC LIMIT ?
                    """, arguments: arguments
            ).map { row in
                TraceSummary(
                    id: row["id"], subject: row["subject"], conversationID: row["conversation_id"],
                    flow: FlowTrace.ArtifactUse(
                        name: row["flow_name"] ?? "", version: row["flow_version"] ?? 0, label: row["flow_label"]),
                    status: FlowTrace.NodeStatus(rawValue: row["status"] ?? "") ?? .failed, errorCode: row["error_code"],
                    durationMs: row["duration_ms"] ?? 0, totalTokens: row["total_tokens"] ?? 0, createdAt: row["created_at"])
            }
        }
    }

    /// Traces stored before their summary columns existed get them from their bodies when the database opens: a
    /// list that filters on the columns must not miss them.
    static func fillSummaries(pool: DatabasePool, cipher: FieldCipher) throws {
        try pool.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT tenant_id, id, body FROM flow_trace WHERE status IS NULL")
            for row in rows {
                let tenant: String = row["tenant_id"]
                // One that cannot be read (its tenant's key destroyed) stays as it is rather than stop the start.
                guard let body = try? cipher.decrypt(row["body"], tenant: tenant, in: db),
                    let trace = try? JSONDecoder().decode(FlowTrace.self, from: Data(body.utf8))
                else { continue }
                try db.execute(
                    sql: """
                        UPDATE flow_trace SET flow_name = ?, flow_version = ?, flow_label = ?, status = ?, error_code = ?,
                            duration_ms = ?, total_tokens = ?
                        WHERE tenant_id = ? AND id = ?
                        """,
                    arguments: [
                        trace.flow.name, trace.flow.version, trace.flow.label, trace.status.rawValue, trace.errorCode,
                        trace.durationMs, trace.usage.totalTokens, tenant, row["id"],
                    ])
            }
        }
    }
}
