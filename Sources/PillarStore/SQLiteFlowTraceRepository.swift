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
                    INSERT INTO flow_trace (tenant_id, id, subject, conversation_id, body, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    trace.tenant, trace.id, trace.subject, trace.conversationID,
                    try database.cipher.encrypt(body, tenant: trace.tenant, in: db), trace.createdAt,
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
}
