import Foundation
import GRDB
import PillarCore

/// Conversations and their messages. Every statement is bound to the owner (tenant and subject), so a user
/// can neither read nor touch another user's conversation, even by id.
public struct SQLiteConversationRepository: ConversationRepository {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func createConversation(tenant: String, subject: String, title: String) async throws -> ConversationRecord {
        let now = Date().timeIntervalSince1970
        let record = ConversationRecord(
            id: "conv_" + RandomHex.make(bytes: 12), tenant: tenant, subject: subject, title: title,
            createdAt: now, updatedAt: now, messageCount: 0)
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO conversation (id, tenant_id, subject, title, message_count, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 0, ?, ?)
                    """,
                arguments: [record.id, tenant, subject, try database.cipher.encrypt(title, tenant: tenant, in: db), now, now])
        }
        return record
    }

    public func conversation(id: String, tenant: String, subject: String) async throws -> ConversationRecord? {
        try await database.pool.read { db in try owned(db, id: id, tenant: tenant, subject: subject) }
    }

    public func listConversations(tenant: String, subject: String, after: String?, limit: Int) async throws
        -> [ConversationRecord]
    {
        try await database.pool.read { db in
            guard let after else {
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM conversation WHERE tenant_id = ? AND subject = ? ORDER BY updated_at DESC, id LIMIT ?
                        """, arguments: [tenant, subject, limit]
                ).map { try record(from: $0, in: db) }
            }
            guard
                let cursor = try Double.fetchOne(
                    db,
                    sql: """
                        SELECT updated_at FROM conversation WHERE tenant_id = ? AND subject = ? AND id = ?
                        """, arguments: [tenant, subject, after])
            else { throw PillarError.invalidCursor(after) }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM conversation WHERE tenant_id = ? AND subject = ? AND (updated_at < ? OR (updated_at = ? AND id > ?))
                    ORDER BY updated_at DESC, id LIMIT ?
                    """, arguments: [tenant, subject, cursor, cursor, after, limit]
            ).map { try record(from: $0, in: db) }
        }
    }

    public func messages(conversation: String, tenant: String, subject: String, limit: Int) async throws -> [ConversationMessage]
    {
        try await database.pool.read { db in
            guard try owned(db, id: conversation, tenant: tenant, subject: subject) != nil else { return [] }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM conversation_message WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?
                    """, arguments: [conversation, limit])
            return try rows.reversed().map { row in
                let citations = try database.cipher.decrypt(row["citations"], tenant: tenant, in: db)
                return ConversationMessage(
                    id: row["id"], role: ConversationMessage.Role(rawValue: row["role"]) ?? .user,
                    content: try database.cipher.decrypt(row["content"], tenant: tenant, in: db),
                    citations: try JSONDecoder().decode([Citation].self, from: Data(citations.utf8)),
                    traceID: row["trace_id"], createdAt: row["created_at"])
            }
        }
    }

    public func appendMessages(
        _ messages: [ConversationMessage], conversation: String, tenant: String,
        subject: String
    ) async throws -> Bool {
        let encoder = JSONEncoder()
        let encoded = try messages.map { String(decoding: try encoder.encode($0.citations), as: UTF8.self) }
        return try await database.pool.write { db in
            guard try owned(db, id: conversation, tenant: tenant, subject: subject) != nil else { return false }
            for (message, citations) in zip(messages, encoded) {
                try db.execute(
                    sql: """
                        INSERT INTO conversation_message (id, conversation_id, role, content, citations, trace_id, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        message.id, conversation, message.role.rawValue,
                        try database.cipher.encrypt(message.content, tenant: tenant, in: db),
                        try database.cipher.encrypt(citations, tenant: tenant, in: db),
                        message.traceID, message.createdAt,
                    ])
            }
            try db.execute(
                sql: """
                    UPDATE conversation SET message_count = message_count + ?, updated_at = ? WHERE id = ?
                    """, arguments: [messages.count, Date().timeIntervalSince1970, conversation])
            return true
        }
    }

    public func renameConversation(id: String, tenant: String, subject: String, title: String) async throws -> ConversationRecord?
    {
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE conversation SET title = ? WHERE id = ? AND tenant_id = ? AND subject = ?",
                arguments: [try database.cipher.encrypt(title, tenant: tenant, in: db), id, tenant, subject])
            return try owned(db, id: id, tenant: tenant, subject: subject)
        }
    }

    public func deleteConversation(id: String, tenant: String, subject: String) async throws -> Bool {
        try await database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM conversation WHERE id = ? AND tenant_id = ? AND subject = ?",
                arguments: [id, tenant, subject])
            guard db.changesCount > 0 else { return false }
            // The traces of its answers hold the user's questions too: they go with the conversation.
            try db.execute(
                sql: "DELETE FROM flow_trace WHERE tenant_id = ? AND subject = ? AND conversation_id = ?",
                arguments: [tenant, subject, id])
            return true
        }
    }

    func owned(_ db: Database, id: String, tenant: String, subject: String) throws -> ConversationRecord? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM conversation WHERE id = ? AND tenant_id = ? AND subject = ?",
            arguments: [id, tenant, subject]
        ).map { try record(from: $0, in: db) }
    }

    func record(from row: Row, in db: Database) throws -> ConversationRecord {
        let tenant: String = row["tenant_id"]
        return ConversationRecord(
            id: row["id"], tenant: tenant, subject: row["subject"],
            title: try database.cipher.decrypt(row["title"], tenant: tenant, in: db),
            createdAt: row["created_at"], updatedAt: row["updated_at"], messageCount: row["message_count"])
    }
}
