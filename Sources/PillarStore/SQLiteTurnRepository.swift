import GRDB
import PillarCore

public struct SQLiteTurnRepository: TurnRepository, UsageLedger, UsageReports {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func recordTurn(_ turn: TurnRecord) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO turn (id, tenant_id, subject, model, deployment, status, error_code, streamed,
                                      prompt_tokens, completion_tokens, usage_estimated, attempts, cost_usd, latency_ms,
                                      ttft_ms, trace_id, created_at, attempt_of)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    turn.id, turn.tenant, turn.subject, turn.model, turn.deployment, turn.status.rawValue,
                    turn.errorCode, turn.streamed, turn.promptTokens, turn.completionTokens,
                    turn.usageEstimated, turn.attempts, turn.costUSD, turn.latencyMs,
                    turn.timeToFirstTokenMs, turn.traceID, turn.createdAt, turn.attemptOf,
                ])
        }
    }

    public func markTurnFailed(id: String, tenant: String, errorCode: String) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE turn SET status = 'failed', error_code = ? WHERE id = ? AND tenant_id = ?",
                arguments: [errorCode, id, tenant])
        }
    }

    public func listTurns(tenant: String, after: String?, limit: Int) async throws -> [TurnRecord] {
        try await database.pool.read { db in
            let rows = try NewestFirstPage.rows(db, table: "turn", tenant: tenant, after: after, limit: limit)
            return rows.compactMap { row in
                guard let status = TurnRecord.Status(rawValue: row["status"]) else { return nil }
                return TurnRecord(
                    id: row["id"], tenant: row["tenant_id"], subject: row["subject"], model: row["model"],
                    deployment: row["deployment"], status: status, errorCode: row["error_code"],
                    streamed: row["streamed"], promptTokens: row["prompt_tokens"],
                    completionTokens: row["completion_tokens"], usageEstimated: row["usage_estimated"],
                    attempts: row["attempts"], costUSD: row["cost_usd"], latencyMs: row["latency_ms"],
                    timeToFirstTokenMs: row["ttft_ms"], traceID: row["trace_id"], createdAt: row["created_at"],
                    attemptOf: row["attempt_of"])
            }
        }
    }

    public func tokensUsed(tenant: String, subject: String?, since: Double) async throws -> Int {
        try await database.pool.read { db in
            if let subject {
                return try Int.fetchOne(
                    db,
                    sql: """
                        SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM turn
                        WHERE tenant_id = ? AND subject = ? AND created_at >= ?
                        """, arguments: [tenant, subject, since]) ?? 0
            }
            // A tenant's budgets are for its users' traffic; evaluation runs have a budget of their own.
            return try Int.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM turn
                    WHERE tenant_id = ? AND created_at >= ? AND subject NOT LIKE 'eval:%'
                    """, arguments: [tenant, since]) ?? 0
        }
    }

    public func costUsed(tenant: String, subject: String?, since: Double) async throws -> Double {
        try await database.pool.read { db in
            if let subject {
                return try Double.fetchOne(
                    db,
                    sql: """
                        SELECT coalesce(sum(cost_usd), 0) FROM turn WHERE tenant_id = ? AND subject = ? AND created_at >= ?
                        """, arguments: [tenant, subject, since]) ?? 0
            }
            return try Double.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(cost_usd), 0) FROM turn WHERE tenant_id = ? AND created_at >= ? AND subject NOT LIKE 'eval:%'
                    """, arguments: [tenant, since]) ?? 0
        }
    }

    public func usage(tenant: String, from: Double, to: Double, groupBy: UsageGrouping) async throws -> [UsageRow] {
        // The grouping expression comes from a closed enum, never from the request.
        let group: String
        switch groupBy {
        case .day: group = "date(created_at, 'unixepoch')"
        case .model: group = "model"
        case .key: group = "subject"
        case .deployment: group = "coalesce(deployment, '-')"
        case .purpose: group = "CASE WHEN subject LIKE 'eval:%' THEN 'evaluation' ELSE 'user' END"
        }
        return try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(group) AS grp, sum(attempt_of IS NULL) AS requests,
                           sum(status = 'failed' AND attempt_of IS NULL) AS failed, sum(attempt_of IS NOT NULL) AS interrupted,
                           sum(prompt_tokens) AS prompt, sum(completion_tokens) AS completion,
                           coalesce(sum(cost_usd), 0) AS cost
                    FROM turn WHERE tenant_id = ? AND created_at >= ? AND created_at < ?
                    GROUP BY grp ORDER BY grp
                    """, arguments: [tenant, from, to]
            ).map { row in
                UsageRow(
                    group: row["grp"], requests: row["requests"], failed: row["failed"],
                    promptTokens: row["prompt"], completionTokens: row["completion"], costUSD: row["cost"],
                    interruptedAttempts: row["interrupted"])
            }
        }
    }
}

/// The evaluation runs' share of a tenant's usage: the turns of their `eval:` subjects, which the tenant's
/// own budgets leave out. The evaluation budget's admission control reads this.
public struct SQLiteEvaluationLedger: UsageLedger {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func tokensUsed(tenant: String, subject: String?, since: Double) async throws -> Int {
        try await database.pool.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM turn
                    WHERE tenant_id = ? AND created_at >= ? AND subject LIKE 'eval:%'
                    """, arguments: [tenant, since]) ?? 0
        }
    }

    public func costUsed(tenant: String, subject: String?, since: Double) async throws -> Double {
        try await database.pool.read { db in
            try Double.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(cost_usd), 0) FROM turn WHERE tenant_id = ? AND created_at >= ? AND subject LIKE 'eval:%'
                    """, arguments: [tenant, since]) ?? 0
        }
    }
}
