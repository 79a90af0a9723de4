import Foundation
import GRDB
import PillarCore

/// The SQLite database under the data directory: WAL mode (a `DatabasePool` gives concurrent readers and
/// one writer), foreign keys on, and the schema brought up to date by migrations at open.
public final class PillarDatabase: Sendable, HealthCheckable {
    let pool: DatabasePool
    public let path: String
    /// Encrypts conversation turns, feedback, document text and traces under per-tenant keys.
    public let cipher: FieldCipher
    /// Where the master key came from: an environment variable's name or a file's path.
    public let masterKeySource: String

    /// `masterKey` nil: the one `PILLAR_MASTER_KEY` / `PILLAR_MASTER_KEY_FILE` name, else the data directory's.
    public init(
        path: String, masterKey: MasterKey? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Deleted documents must leave no trace: freed pages are overwritten, not just unlinked.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        let master =
            try masterKey
            ?? MasterKey.load(environment: environment, dataDirectory: (path as NSString).deletingLastPathComponent)
        self.cipher = FieldCipher(master: master)
        self.masterKeySource = master.source
        try Self.migrator.migrate(pool)
        // A key made just now cannot open data keys wrapped before: the configured key is missing, and going on
        // would wrap new tenants' keys with a key nobody set up.
        if master.generated, try pool.read({ db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tenant_key") ?? 0 }) > 0 {
            try? FileManager.default.removeItem(atPath: master.source)
            throw MasterKeyError(
                "the data is encrypted with a master key that is not configured: set PILLAR_MASTER_KEY or PILLAR_MASTER_KEY_FILE")
        }
        try SQLiteFlowTraceRepository.fillSummaries(pool: pool, cipher: cipher)
    }

    /// Opens (creating when needed) `pillar.sqlite` inside a data directory.
    public convenience init(
        dataDirectory: String, masterKey: MasterKey? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        try FileManager.default.createDirectory(
            atPath: dataDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        try self.init(
            path: (dataDirectory as NSString).appendingPathComponent("pillar.sqlite"), masterKey: masterKey,
            environment: environment)
    }

    public func checkHealth() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public var journalMode: String {
        get throws { try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" } }
    }

    public var appliedMigrations: [String] {
        get throws { try pool.read { db in try Self.migrator.appliedMigrations(db) } }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("001_identity_and_turns") { db in
            try db.create(table: "tenant") { table in
                table.primaryKey("id", .text)
                table.column("created_at", .double).notNull()
            }
            try db.create(table: "api_key") { table in
                table.primaryKey("id", .text)
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("name", .text).notNull()
                table.column("role", .text).notNull()
                table.column("prefix", .text).notNull()
                table.column("key_hash", .text).notNull().unique()
                table.column("created_at", .double).notNull()
                table.column("revoked_at", .double)
                table.column("last_used_at", .double)
            }
            try db.create(index: "api_key_tenant", on: "api_key", columns: ["tenant_id"])
            try db.create(table: "turn") { table in
                table.primaryKey("id", .text)
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("subject", .text).notNull()
                table.column("model", .text).notNull()
                table.column("deployment", .text)
                table.column("status", .text).notNull()
                table.column("error_code", .text)
                table.column("streamed", .boolean).notNull()
                table.column("prompt_tokens", .integer).notNull()
                table.column("completion_tokens", .integer).notNull()
                table.column("latency_ms", .double).notNull()
                table.column("ttft_ms", .double)
                table.column("trace_id", .text)
                table.column("created_at", .double).notNull()
            }
            try db.create(index: "turn_tenant_time", on: "turn", columns: ["tenant_id", "created_at"])
        }
        migrator.registerMigration("002_turn_usage_estimated") { db in
            try db.alter(table: "turn") { table in
                table.add(column: "usage_estimated", .boolean).notNull().defaults(to: false)
                table.add(column: "attempts", .integer).notNull().defaults(to: 1)
            }
        }
        migrator.registerMigration("003_turn_cost") { db in
            try db.alter(table: "turn") { table in
                table.add(column: "cost_usd", .double)
            }
        }
        migrator.registerMigration("004_documents") { db in
            try db.create(table: "document") { table in
                table.primaryKey("id", .text)
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("source_uri", .text).notNull()
                table.column("title", .text)
                table.column("format", .text).notNull()
                table.column("content_hash", .text).notNull()
                table.column("version", .integer).notNull()
                table.column("acl", .text).notNull()
                table.column("acl_open", .boolean).notNull()
                table.column("bytes", .integer).notNull()
                table.column("chunk_count", .integer).notNull()
                table.column("embedding_model", .text).notNull()
                table.column("created_at", .double).notNull()
                table.column("updated_at", .double).notNull()
                table.uniqueKey(["tenant_id", "source_uri"])
            }
            // One row per (document, group): the ACL filter of keyword search is an indexed lookup.
            try db.create(table: "document_group") { table in
                table.column("document_id", .text).notNull().references("document", onDelete: .cascade)
                table.column("tenant_id", .text).notNull()
                table.column("group_name", .text).notNull()
                table.primaryKey(["document_id", "group_name"])
            }
            try db.create(index: "document_group_lookup", on: "document_group", columns: ["tenant_id", "group_name"])
            try db.create(table: "chunk") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("tenant_id", .text).notNull()
                table.column("document_id", .text).notNull().references("document", onDelete: .cascade)
                table.column("ordinal", .integer).notNull()
                table.column("text", .text).notNull()
                table.column("heading_path", .text).notNull()
                table.column("start_offset", .integer).notNull()
                table.column("end_offset", .integer).notNull()
                table.column("token_count", .integer).notNull()
                table.column("embedding", .blob).notNull()
            }
            try db.create(index: "chunk_document", on: "chunk", columns: ["document_id"])
            try db.create(index: "chunk_tenant", on: "chunk", columns: ["tenant_id"])
            try db.create(table: "vector_change") { table in
                table.autoIncrementedPrimaryKey("seq")
                table.column("tenant_id", .text).notNull()
                table.column("chunk_id", .integer).notNull()
                table.column("op", .text).notNull()
            }
            try db.create(index: "vector_change_tenant", on: "vector_change", columns: ["tenant_id", "seq"])
        }
        migrator.registerMigration("005_chunk_lookup_by_tenant_and_document") { db in
            // With two single-column indexes SQLite picked the tenant one for "this document's chunks" and
            // scanned every chunk of the tenant, which made ingestion quadratic. The composite index serves
            // per-document and per-tenant lookups; chunk_document stays for the foreign key's cascade.
            try db.drop(index: "chunk_tenant")
            try db.create(index: "chunk_tenant_document", on: "chunk", columns: ["tenant_id", "document_id"])
        }
        migrator.registerMigration("006_orchestration") { db in
            try db.create(table: "library_version") { table in
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("kind", .text).notNull()
                table.column("name", .text).notNull()
                table.column("version", .integer).notNull()
                table.column("body", .text).notNull()
                table.column("note", .text)
                table.column("created_by", .text).notNull()
                table.column("created_at", .double).notNull()
                table.primaryKey(["tenant_id", "kind", "name", "version"])
            }
            // A label's assignments in order; the current one is the newest not undone by a rollback.
            try db.create(table: "library_label") { table in
                table.autoIncrementedPrimaryKey("seq")
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("kind", .text).notNull()
                table.column("name", .text).notNull()
                table.column("label", .text).notNull()
                table.column("split", .text).notNull()
                table.column("undone", .boolean).notNull().defaults(to: false)
                table.column("undone_by", .text)
                table.column("undone_at", .double)
                table.column("updated_by", .text).notNull()
                table.column("updated_at", .double).notNull()
            }
            try db.create(
                index: "library_label_lookup", on: "library_label", columns: ["tenant_id", "kind", "name", "label", "seq"])
            try db.create(table: "conversation") { table in
                table.primaryKey("id", .text)
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("subject", .text).notNull()
                table.column("title", .text).notNull()
                table.column("message_count", .integer).notNull().defaults(to: 0)
                table.column("created_at", .double).notNull()
                table.column("updated_at", .double).notNull()
            }
            try db.create(index: "conversation_owner", on: "conversation", columns: ["tenant_id", "subject", "updated_at"])
            try db.create(table: "conversation_message") { table in
                table.autoIncrementedPrimaryKey("seq")
                table.column("id", .text).notNull().unique()
                table.column("conversation_id", .text).notNull().references("conversation", onDelete: .cascade)
                table.column("role", .text).notNull()
                table.column("content", .text).notNull()
                table.column("citations", .text).notNull()
                table.column("trace_id", .text)
                table.column("created_at", .double).notNull()
            }
            try db.create(index: "conversation_message_order", on: "conversation_message", columns: ["conversation_id", "seq"])
            try db.create(table: "flow_trace") { table in
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("id", .text).notNull()
                table.column("subject", .text).notNull()
                table.column("conversation_id", .text)
                table.column("body", .text).notNull()
                table.column("created_at", .double).notNull()
                table.primaryKey(["tenant_id", "id"])
            }
            try db.create(index: "flow_trace_time", on: "flow_trace", columns: ["tenant_id", "created_at"])
        }
        migrator.registerMigration("007_data_protection") { db in
            // Append-only: no tenant foreign key (a removed tenant's history stays), and triggers refuse changes.
            try db.create(table: "audit_log") { table in
                table.primaryKey("seq", .integer)
                table.column("at", .double).notNull()
                table.column("tenant_id", .text).notNull()
                table.column("actor", .text).notNull()
                table.column("action", .text).notNull()
                table.column("target", .text).notNull()
                table.column("details", .text).notNull()
                table.column("previous_hash", .text).notNull()
                table.column("hash", .text).notNull()
            }
            try db.create(index: "audit_log_tenant", on: "audit_log", columns: ["tenant_id", "seq"])
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                    """)
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                    """)
            // Each tenant's data key, wrapped by the master key.
            try db.create(table: "tenant_key") { table in
                table.primaryKey("tenant_id", .text)
                table.column("wrapped", .blob).notNull()
                table.column("master_key_id", .text).notNull()
                table.column("created_at", .double).notNull()
            }
            try db.create(table: "feedback") { table in
                table.primaryKey("id", .text)
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("subject", .text).notNull()
                table.column("trace_id", .text).notNull()
                table.column("rating", .integer).notNull()
                table.column("comment", .text)
                table.column("conversation", .text)
                table.column("created_at", .double).notNull()
            }
            try db.create(index: "feedback_time", on: "feedback", columns: ["tenant_id", "created_at"])
            try db.create(index: "feedback_subject", on: "feedback", columns: ["tenant_id", "subject"])
            try db.create(table: "consent") { table in
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("subject", .text).notNull()
                table.column("share_conversations", .boolean).notNull()
                table.column("updated_at", .double).notNull()
                table.primaryKey(["tenant_id", "subject"])
            }
            try db.create(index: "conversation_message_time", on: "conversation_message", columns: ["created_at"])
            try db.create(index: "flow_trace_subject", on: "flow_trace", columns: ["tenant_id", "subject"])
            // Keyword indexes keep no copy of the text (which is now encrypted in the chunk table): contentless.
            let tables = try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'chunk_fts_x%' AND sql LIKE 'CREATE VIRTUAL TABLE%'
                    """)
            for name in tables {
                let old = "\"\(name)\""
                let new = "\"\(name)__c\""
                try SQLiteDocumentRepository.createKeywordIndex(db, table: new)
                try db.execute(sql: "INSERT INTO \(new) (rowid, title, body) SELECT rowid, title, body FROM \(old)")
                try db.execute(sql: "DROP TABLE \(old)")
                try db.execute(sql: "ALTER TABLE \(new) RENAME TO \(old)")
            }
        }
        migrator.registerMigration("008_interrupted_attempts") { db in
            // An attempt that streamed part of an answer before another deployment continued it is a turn row
            // of its own (its tokens were spent), pointing at the answer's row.
            try db.alter(table: "turn") { table in
                table.add(column: "attempt_of", .text)
            }
        }
        migrator.registerMigration("009_keyword_lengths") { db in
            // Keyword ranking counts only what a reader may read, so each chunk's and document's length in the
            // keyword index is kept where an ACL-filtered sum can reach it.
            try db.alter(table: "chunk") { table in
                table.add(column: "keyword_tokens", .integer).notNull().defaults(to: 0)
            }
            try db.alter(table: "document") { table in
                table.add(column: "keyword_tokens", .integer).notNull().defaults(to: 0)
            }
            let tables = try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'chunk_fts_x%' AND sql LIKE 'CREATE VIRTUAL TABLE%'
                    """)
            for name in tables {
                for row in try Row.fetchAll(db, sql: "SELECT id, sz FROM \"\(name)_docsize\"") {
                    try db.execute(
                        sql: "UPDATE chunk SET keyword_tokens = ? WHERE id = ?",
                        arguments: [ReaderScopedBM25.rowLength(row["sz"]), row["id"] as Int64])
                }
            }
            try db.execute(
                sql: """
                    UPDATE document SET keyword_tokens = (SELECT coalesce(sum(keyword_tokens), 0) FROM chunk
                                                          WHERE chunk.document_id = document.id)
                    """)
        }
        migrator.registerMigration("010_evaluation") { db in
            try db.create(table: "eval_dataset") { table in
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("name", .text).notNull()
                table.column("version", .integer).notNull()
                table.column("item_count", .integer).notNull()
                table.column("source", .text).notNull()
                table.column("note", .text)
                table.column("created_by", .text).notNull()
                table.column("created_at", .double).notNull()
                table.primaryKey(["tenant_id", "name", "version"])
            }
            // An item made from a person's production conversation names them, so erasing them removes it.
            try db.create(table: "eval_item") { table in
                table.column("tenant_id", .text).notNull()
                table.column("dataset", .text).notNull()
                table.column("version", .integer).notNull()
                table.column("position", .integer).notNull()
                table.column("subject", .text)
                table.column("body", .text).notNull()
                table.primaryKey(["tenant_id", "dataset", "version", "position"])
                table.foreignKey(["tenant_id", "dataset", "version"], references: "eval_dataset", onDelete: .cascade)
            }
            try db.create(index: "eval_item_subject", on: "eval_item", columns: ["tenant_id", "subject"])
            try db.create(table: "eval_run") { table in
                table.primaryKey("id", .text)
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("dataset", .text).notNull()
                table.column("status", .text).notNull()
                table.column("record", .text).notNull()
                table.column("created_at", .double).notNull()
            }
            try db.create(index: "eval_run_tenant", on: "eval_run", columns: ["tenant_id", "created_at"])
            try db.create(table: "eval_result") { table in
                table.column("run_id", .text).notNull().references("eval_run", onDelete: .cascade)
                table.column("item_id", .text).notNull()
                table.column("repeat", .integer).notNull()
                table.column("body", .text).notNull()
                table.primaryKey(["run_id", "item_id", "repeat"])
            }
            try db.create(table: "eval_baseline") { table in
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("dataset", .text).notNull()
                table.column("flow", .text).notNull()
                table.column("run_id", .text).notNull().references("eval_run", onDelete: .cascade)
                table.column("set_by", .text).notNull()
                table.column("set_at", .double).notNull()
                table.primaryKey(["tenant_id", "dataset", "flow"])
            }
            try db.create(table: "eval_gate") { table in
                table.primaryKey("id", .text)
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("passed", .boolean).notNull()
                table.column("record", .text).notNull()
                table.column("created_at", .double).notNull()
            }
            try db.create(index: "eval_gate_tenant", on: "eval_gate", columns: ["tenant_id", "passed", "created_at"])
        }
        migrator.registerMigration("011_quality") { db in
            // One row per flow answer; no text. The query vector (of sampled answers) is derived from what
            // the person asked, so it is encrypted like their words and erased with them.
            try db.create(table: "quality_sample") { table in
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("trace_id", .text).notNull()
                table.column("subject", .text).notNull()
                table.column("created_at", .double).notNull()
                table.column("flow", .text).notNull()
                table.column("flow_version", .integer).notNull()
                table.column("label", .text)
                table.column("judgement", .text).notNull()
                table.column("groundedness", .double)
                table.column("relevance", .double)
                table.column("thumbs_down", .boolean)
                table.column("body", .text).notNull()
                table.column("query_vector", .text)
                table.primaryKey(["tenant_id", "trace_id"])
            }
            try db.create(index: "quality_sample_time", on: "quality_sample", columns: ["created_at"])
            try db.create(index: "quality_sample_flow", on: "quality_sample", columns: ["tenant_id", "flow", "created_at"])
            try db.create(index: "quality_sample_subject", on: "quality_sample", columns: ["tenant_id", "subject"])
            try db.create(table: "canary_analysis") { table in
                table.primaryKey("id", .text)
                table.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                table.column("kind", .text).notNull()
                table.column("name", .text).notNull()
                table.column("label", .text).notNull()
                table.column("status", .text).notNull()
                table.column("record", .text).notNull()
                table.column("created_at", .double).notNull()
                table.column("updated_at", .double).notNull()
            }
            try db.create(
                index: "canary_analysis_label", on: "canary_analysis",
                columns: ["tenant_id", "kind", "name", "label", "created_at"])
            try db.create(table: "monitor_state") { table in
                table.primaryKey("key", .text)
                table.column("monitor", .text).notNull()
                table.column("state", .text).notNull()
            }
        }
        migrator.registerMigration("012_assurance") { db in
            try db.create(table: "backup_record") { table in
                table.primaryKey("id", .text)
                table.column("at", .double).notNull()
                table.column("directory", .text).notNull()
                table.column("audit_head_seq", .integer).notNull()
                table.column("audit_head_hash", .text).notNull()
                table.column("bytes", .integer).notNull()
            }
            try db.create(table: "isolation_probe_run") { table in
                table.primaryKey("id", .text)
                table.column("started_at", .double).notNull()
                table.column("status", .text).notNull()
                table.column("record", .text).notNull()
            }
            try db.create(index: "isolation_probe_run_time", on: "isolation_probe_run", columns: ["started_at"])
            try db.create(table: "load_test") { table in
                table.primaryKey("id", .text)
                table.column("at", .double).notNull()
                table.column("record", .text).notNull()
            }
            try db.create(index: "load_test_time", on: "load_test", columns: ["at"])
        }
        migrator.registerMigration("013_sign_in") { db in
            try db.create(table: "pending_sign_in") { table in
                table.primaryKey("state_hash", .text)
                table.column("code_verifier", .text).notNull()
                table.column("nonce", .text).notNull()
                table.column("return_to", .text).notNull()
                table.column("created_at", .double).notNull()
            }
            try db.create(table: "sign_in_session") { table in
                table.primaryKey("id_hash", .text)
                table.column("tenant_id", .text).notNull().references("tenant")
                table.column("subject", .text).notNull()
                table.column("roles", .text).notNull()
                table.column("groups", .text).notNull()
                table.column("issuer", .text).notNull()
                table.column("csrf_token", .text).notNull()
                table.column("created_at", .double).notNull()
                table.column("last_seen_at", .double).notNull()
                table.column("expires_at", .double).notNull()
                table.column("renew_at", .double).notNull()
                table.column("refresh_token", .text)
                table.column("id_token", .text)
            }
            try db.create(index: "sign_in_session_subject", on: "sign_in_session", columns: ["tenant_id", "subject"])
            try db.create(index: "sign_in_session_expiry", on: "sign_in_session", columns: ["expires_at"])
        }
        migrator.registerMigration("014_trace_summary") { db in
            // What a list of traces filters and shows, in clear beside the encrypted body: no words of the
            // conversation, only the flow version, the outcome, the time taken and the tokens.
            try db.alter(table: "flow_trace") { table in
                table.add(column: "flow_name", .text)
                table.add(column: "flow_version", .integer)
                table.add(column: "flow_label", .text)
                table.add(column: "status", .text)
                table.add(column: "error_code", .text)
                table.add(column: "duration_ms", .double)
                table.add(column: "total_tokens", .integer)
            }
            try db.create(index: "flow_trace_subject_time", on: "flow_trace", columns: ["tenant_id", "subject", "created_at"])
        }
        migrator.registerMigration("015_turn_trace") { db in
            // A trace shows the gateway's calls made for it (their cost, above all), found by telemetry trace id.
            try db.create(index: "turn_tenant_trace", on: "turn", columns: ["tenant_id", "trace_id"])
        }
        return migrator
    }
}
