import Foundation
import GRDB

/// Encrypts what was stored before encryption at rest existed (values without the `enc1:` prefix), in batches
/// so no transaction grows large. Safe to run again, and beside a running server.
public enum EncryptionBackfill {
    /// A column to seal: its table, the row key, how to find each row's tenant.
    struct Column {
        let table: String
        let column: String
        let key: String
        /// SQL giving (key, tenant, value) for a batch of plaintext rows.
        let select: String
    }

    static let columns: [Column] = [
        Column(
            table: "conversation", column: "title", key: "id",
            select: "SELECT id AS k, tenant_id AS t, title AS v FROM conversation WHERE title NOT LIKE 'enc1:%' LIMIT ?"),
        Column(
            table: "conversation_message", column: "content", key: "seq",
            select: """
                SELECT m.seq AS k, c.tenant_id AS t, m.content AS v FROM conversation_message m
                JOIN conversation c ON c.id = m.conversation_id WHERE m.content NOT LIKE 'enc1:%' LIMIT ?
                """),
        Column(
            table: "conversation_message", column: "citations", key: "seq",
            select: """
                SELECT m.seq AS k, c.tenant_id AS t, m.citations AS v FROM conversation_message m
                JOIN conversation c ON c.id = m.conversation_id WHERE m.citations NOT LIKE 'enc1:%' LIMIT ?
                """),
        Column(
            table: "flow_trace", column: "body", key: "rowid",
            select: "SELECT rowid AS k, tenant_id AS t, body AS v FROM flow_trace WHERE body NOT LIKE 'enc1:%' LIMIT ?"),
        Column(
            table: "feedback", column: "comment", key: "id",
            select:
                "SELECT id AS k, tenant_id AS t, comment AS v FROM feedback WHERE comment IS NOT NULL AND comment NOT LIKE 'enc1:%' LIMIT ?"
        ),
        Column(
            table: "feedback", column: "conversation", key: "id",
            select:
                "SELECT id AS k, tenant_id AS t, conversation AS v FROM feedback WHERE conversation IS NOT NULL AND conversation NOT LIKE 'enc1:%' LIMIT ?"
        ),
        Column(
            table: "chunk", column: "text", key: "id",
            select: "SELECT id AS k, tenant_id AS t, text AS v FROM chunk WHERE text NOT LIKE 'enc1:%' LIMIT ?"),
    ]

    /// How many values were sealed, by `table.column`.
    public static func run(_ database: PillarDatabase, batchSize: Int = 500) async throws -> [String: Int] {
        var sealed: [String: Int] = [:]
        for column in columns {
            var total = 0
            while true {
                let count = try await database.pool.write { db -> Int in
                    let rows = try Row.fetchAll(db, sql: column.select, arguments: [batchSize])
                    for row in rows {
                        let value: String = row["v"]
                        let tenant: String = row["t"]
                        try db.execute(
                            sql: "UPDATE \(column.table) SET \(column.column) = ? WHERE \(column.key) = ?",
                            arguments: [try database.cipher.encrypt(value, tenant: tenant, in: db), row["k"] as DatabaseValue])
                    }
                    return rows.count
                }
                total += count
                if count < batchSize { break }
            }
            sealed["\(column.table).\(column.column)"] = total
        }
        return sealed
    }
}
