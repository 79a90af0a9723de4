import Foundation
import GRDB
import PillarCore

public struct SQLiteAPIKeyRepository: APIKeyRepository {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func insertKey(_ record: APIKeyRecord, hash: String) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_key (id, tenant_id, name, role, prefix, key_hash, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.id, record.tenant, record.name, record.role.rawValue, record.prefix, hash,
                    record.createdAt,
                ])
        }
    }

    public func activeKey(hash: String) async throws -> APIKeyRecord? {
        let found = try await database.pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM api_key WHERE key_hash = ? AND revoked_at IS NULL",
                arguments: [hash]
            ).flatMap(Self.record)
        }
        guard let found else { return nil }
        // Last use to the minute is enough for people and keeps writes off the hot path.
        let now = Date().timeIntervalSince1970
        if now - (found.lastUsedAt ?? 0) > 60 {
            try await database.pool.write { db in
                try db.execute(sql: "UPDATE api_key SET last_used_at = ? WHERE id = ?", arguments: [now, found.id])
            }
        }
        return found
    }

    public func listKeys(tenant: String?) async throws -> [APIKeyRecord] {
        try await database.pool.read { db in
            let rows: [Row]
            if let tenant {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM api_key WHERE tenant_id = ? ORDER BY created_at",
                    arguments: [tenant])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY tenant_id, created_at")
            }
            return rows.compactMap(Self.record)
        }
    }

    public func revokeKey(id: String, tenant: String?) async throws -> Bool {
        try await database.pool.write { db in
            let now = Date().timeIntervalSince1970
            if let tenant {
                try db.execute(
                    sql: "UPDATE api_key SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND tenant_id = ?",
                    arguments: [now, id, tenant])
            } else {
                try db.execute(
                    sql: "UPDATE api_key SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                    arguments: [now, id])
            }
            return db.changesCount > 0
        }
    }

    public func countKeys(tenant: String) async throws -> Int {
        try await database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM api_key WHERE tenant_id = ?", arguments: [tenant]) ?? 0
        }
    }

    static func record(_ row: Row) -> APIKeyRecord? {
        guard let role = Role(rawValue: row["role"]) else { return nil }
        return APIKeyRecord(
            id: row["id"], tenant: row["tenant_id"], name: row["name"], role: role,
            prefix: row["prefix"], createdAt: row["created_at"], revokedAt: row["revoked_at"],
            lastUsedAt: row["last_used_at"])
    }
}
