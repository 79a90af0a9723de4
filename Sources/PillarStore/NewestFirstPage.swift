import GRDB
import PillarCore

/// A page of a tenant's rows, newest first by (`created_at`, `id`), starting past the row whose id is `after`:
/// the keyset paging that the turn and feedback lists share. A cursor naming no row of the tenant is refused.
enum NewestFirstPage {
    /// `table` is one of the store's own table names, never input.
    static func rows(_ db: Database, table: String, tenant: String, after: String?, limit: Int) throws -> [Row] {
        guard let after else {
            return try Row.fetchAll(
                db, sql: "SELECT * FROM \(table) WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                arguments: [tenant, limit])
        }
        guard
            let cursor = try Double.fetchOne(
                db, sql: "SELECT created_at FROM \(table) WHERE tenant_id = ? AND id = ?", arguments: [tenant, after])
        else { throw PillarError.invalidCursor(after) }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM \(table) WHERE tenant_id = ? AND (created_at < ? OR (created_at = ? AND id < ?))
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [tenant, cursor, cursor, after, limit])
    }
}
