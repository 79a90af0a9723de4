import Foundation
import GRDB
import PillarCore

/// Feedback, consent, erasure of a subject and retention purges.
public struct SQLiteDataProtectionRepository: DataProtectionRepository {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func saveFeedback(_ feedback: FeedbackRecord) async throws {
        let conversation = try feedback.conversation.map {
            String(decoding: try JSONEncoder().encode($0.map(StoredFeedbackMessage.init)), as: UTF8.self)
        }
        try await database.pool.write { db in
            let cipher = database.cipher
            try db.execute(
                sql: """
                    INSERT INTO feedback (id, tenant_id, subject, trace_id, rating, comment, conversation, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    feedback.id, feedback.tenant, feedback.subject, feedback.traceID, feedback.rating,
                    try feedback.comment.map { try cipher.encrypt($0, tenant: feedback.tenant, in: db) },
                    try conversation.map { try cipher.encrypt($0, tenant: feedback.tenant, in: db) },
                    feedback.createdAt,
                ])
        }
    }

    public func listFeedback(tenant: String, after: String?, limit: Int) async throws -> [FeedbackRecord] {
        try await database.pool.read { db in
            let cipher = database.cipher
            let rows = try NewestFirstPage.rows(db, table: "feedback", tenant: tenant, after: after, limit: limit)
            return try rows.map { row in
                let conversation = try (row["conversation"] as String?).map { try cipher.decrypt($0, tenant: tenant, in: db) }
                return FeedbackRecord(
                    id: row["id"], tenant: tenant, subject: row["subject"], traceID: row["trace_id"], rating: row["rating"],
                    comment: try (row["comment"] as String?).map { try cipher.decrypt($0, tenant: tenant, in: db) },
                    conversation: try conversation.map {
                        try JSONDecoder().decode([StoredFeedbackMessage].self, from: Data($0.utf8)).map(\.message)
                    },
                    createdAt: row["created_at"])
            }
        }
    }

    public func consent(tenant: String, subject: String) async throws -> Bool {
        try await database.pool.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT share_conversations FROM consent WHERE tenant_id = ? AND subject = ?",
                arguments: [tenant, subject]) ?? false
        }
    }

    public func setConsent(tenant: String, subject: String, shareConversations: Bool) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO consent (tenant_id, subject, share_conversations, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(tenant_id, subject) DO UPDATE SET share_conversations = excluded.share_conversations,
                        updated_at = excluded.updated_at
                    """, arguments: [tenant, subject, shareConversations, Date().timeIntervalSince1970])
        }
    }

    public func erase(tenant: String, subject: String) async throws -> RemovalCounts {
        try await database.pool.write { db in
            var counts = RemovalCounts()
            counts.messages =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM conversation_message m JOIN conversation c ON c.id = m.conversation_id
                        WHERE c.tenant_id = ? AND c.subject = ?
                        """, arguments: [tenant, subject]) ?? 0
            try db.execute(sql: "DELETE FROM conversation WHERE tenant_id = ? AND subject = ?", arguments: [tenant, subject])
            counts.conversations = db.changesCount
            try db.execute(sql: "DELETE FROM flow_trace WHERE tenant_id = ? AND subject = ?", arguments: [tenant, subject])
            counts.traces = db.changesCount
            try db.execute(sql: "DELETE FROM feedback WHERE tenant_id = ? AND subject = ?", arguments: [tenant, subject])
            counts.feedback = db.changesCount
            // Quality samples carry the query's embedding, which is derived from the person's words.
            try db.execute(sql: "DELETE FROM quality_sample WHERE tenant_id = ? AND subject = ?", arguments: [tenant, subject])
            try db.execute(sql: "DELETE FROM consent WHERE tenant_id = ? AND subject = ?", arguments: [tenant, subject])
            // Erased people are signed out everywhere: a session would go on writing under the subject.
            try db.execute(
                sql: "DELETE FROM sign_in_session WHERE tenant_id = ? AND subject = ?", arguments: [tenant, subject])
            counts.sessions = db.changesCount
            // Evaluation items made from the person's conversations go too; their dataset versions say so in
            // their item counts.
            try db.execute(sql: "DELETE FROM eval_item WHERE tenant_id = ? AND subject = ?", arguments: [tenant, subject])
            counts.evaluationItems = db.changesCount
            try db.execute(
                sql: """
                    UPDATE eval_dataset SET item_count = (SELECT count(*) FROM eval_item i WHERE i.tenant_id = eval_dataset.tenant_id
                                                           AND i.dataset = eval_dataset.name AND i.version = eval_dataset.version)
                    WHERE tenant_id = ?
                    """, arguments: [tenant])
            // Usage stays for budgets and cost, no longer tied to the person.
            try db.execute(
                sql: "UPDATE turn SET subject = 'erased' WHERE tenant_id = ? AND subject = ?", arguments: [tenant, subject])
            counts.turnsAnonymised = db.changesCount
            return counts
        }
    }

    public func purge(tenant: String, before: Double) async throws -> RemovalCounts {
        try await database.pool.write { db in
            var counts = RemovalCounts()
            try db.execute(
                sql: """
                    DELETE FROM conversation_message WHERE created_at < ?
                      AND conversation_id IN (SELECT id FROM conversation WHERE tenant_id = ?)
                    """, arguments: [before, tenant])
            counts.messages = db.changesCount
            try db.execute(
                sql: """
                    UPDATE conversation SET message_count = (SELECT count(*) FROM conversation_message m WHERE m.conversation_id = conversation.id)
                    WHERE tenant_id = ?
                    """, arguments: [tenant])
            try db.execute(
                sql: "DELETE FROM conversation WHERE tenant_id = ? AND message_count = 0 AND updated_at < ?",
                arguments: [tenant, before])
            counts.conversations = db.changesCount
            try db.execute(sql: "DELETE FROM flow_trace WHERE tenant_id = ? AND created_at < ?", arguments: [tenant, before])
            counts.traces = db.changesCount
            try db.execute(sql: "DELETE FROM feedback WHERE tenant_id = ? AND created_at < ?", arguments: [tenant, before])
            counts.feedback = db.changesCount
            try db.execute(sql: "DELETE FROM quality_sample WHERE tenant_id = ? AND created_at < ?", arguments: [tenant, before])
            return counts
        }
    }
}

/// A shared conversation's message as the feedback table's `conversation` column keeps it: the camelCase keys
/// (`traceID`, `createdAt`) that `ConversationMessage` encoded with before the API moved to snake_case. The column
/// keeps that shape so that rows written before and after the change read alike; the API's shape is
/// `ConversationMessage`'s own.
struct StoredFeedbackMessage: Codable {
    var id: String
    var role: ConversationMessage.Role
    var content: String
    var citations: [Citation]
    var traceID: String?
    var createdAt: Double

    init(_ message: ConversationMessage) {
        id = message.id
        role = message.role
        content = message.content
        citations = message.citations
        traceID = message.traceID
        createdAt = message.createdAt
    }

    var message: ConversationMessage {
        ConversationMessage(
            id: id, role: role, content: content, citations: citations, traceID: traceID,
            createdAt: createdAt)
    }
}
