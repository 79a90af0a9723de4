import Foundation
import GRDB
import PillarCore

public struct SQLiteTenantRepository: TenantRepository {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func ensureTenant(_ id: String) async throws -> Tenant {
        guard Tenant.isValidID(id) else {
            throw PillarError.invalidRequest("tenant id '\(id)' must be 1-64 characters of a-z, 0-9, - and _")
        }
        return try await database.pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO tenant (id, created_at) VALUES (?, ?)",
                arguments: [id, Date().timeIntervalSince1970])
            let createdAt = try Double.fetchOne(db, sql: "SELECT created_at FROM tenant WHERE id = ?", arguments: [id])
            return Tenant(id: id, createdAt: createdAt ?? 0)
        }
    }

    public func tenant(_ id: String) async throws -> Tenant? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT id, created_at FROM tenant WHERE id = ?", arguments: [id])
                .map { Tenant(id: $0["id"], createdAt: $0["created_at"]) }
        }
    }

    public func listTenants() async throws -> [Tenant] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, created_at FROM tenant ORDER BY id")
                .map { Tenant(id: $0["id"], createdAt: $0["created_at"]) }
        }
    }
}
