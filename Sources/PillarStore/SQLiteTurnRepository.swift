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
            try NewestFirstPage.rows(db, table: "turn", tenant: tenant, after: after, limit: limit).compactMap(Self.turn(from:))
        }
    }

    public func turns(tenant: String, subject: String, traceID: String) async throws -> [TurnRecord] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM turn WHERE tenant_id = ? AND trace_id = ? AND subject = ?
                    ORDER BY created_at, id LIMIT ?
                    """, arguments: [tenant, traceID, subject, Self.maxTurnsOfATrace]
            ).compactMap(Self.turn(from:))
        }
    }

    /// More calls than any flow's limits allow, so that a trace id reused on purpose cannot make one read unbounded.
    static let maxTurnsOfATrace = 1000

    static func turn(from row: Row) -> TurnRecord? {
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

    public func usage(tenant: String, from: Double, to: Double, groupBy: [UsageGrouping]) async throws -> [UsageRow] {
        precondition(!groupBy.isEmpty, "usage needs at least one grouping")
        // The grouping expressions come from a closed enum, never from the request.
        let expressions = groupBy.map { grouping -> String in
            switch grouping {
            case .day: return "date(created_at, 'unixepoch')"
            case .hour: return "strftime('%Y-%m-%dT%H:00Z', created_at, 'unixepoch')"
            case .model: return "model"
            case .key: return "subject"
            case .deployment: return "coalesce(deployment, '-')"
            case .purpose: return "CASE WHEN subject LIKE 'eval:%' THEN 'evaluation' ELSE 'user' END"
            }
        }
        let columns = expressions.indices.map { "g\($0)" }
        let keys = columns.joined(separator: ", ")
        let picked = zip(expressions, columns).map { "\($0) AS \($1)" }.joined(separator: ", ")
        // Percentiles by nearest rank (the k-th smallest of n, k = ⌈p·n/100⌉), counted in SQL so that the turns
        // never leave the database.
        func percentiles(of column: String, where condition: String) -> String {
            """
            SELECT \(keys), max(CASE WHEN rn = (50 * n + 99) / 100 THEN v END) AS p50,
                   max(CASE WHEN rn = (95 * n + 99) / 100 THEN v END) AS p95
            FROM (SELECT \(keys), \(column) AS v,
                         row_number() OVER (PARTITION BY \(keys) ORDER BY \(column)) AS rn,
                         count(*) OVER (PARTITION BY \(keys)) AS n
                  FROM picked WHERE \(condition))
            GROUP BY \(keys)
            """
        }
        let succeeded = "status = 'succeeded' AND attempt_of IS NULL"
        let sql = """
            WITH picked AS (
                SELECT \(picked), * FROM turn WHERE tenant_id = ? AND created_at >= ? AND created_at < ?),
            sums AS (
                SELECT \(keys), sum(attempt_of IS NULL) AS requests,
                       sum(status = 'failed' AND attempt_of IS NULL) AS failed,
                       sum(attempt_of IS NOT NULL) AS interrupted,
                       sum(prompt_tokens) AS prompt, sum(completion_tokens) AS completion,
                       coalesce(sum(cost_usd), 0) AS cost
                FROM picked GROUP BY \(keys)),
            latency AS (\(percentiles(of: "latency_ms", where: succeeded))),
            first_token AS (\(percentiles(
                of: "ttft_ms", where: "\(succeeded) AND ttft_ms IS NOT NULL")))
            SELECT sums.*, latency.p50 AS latency_p50, latency.p95 AS latency_p95,
                   first_token.p50 AS ttft_p50, first_token.p95 AS ttft_p95
            FROM sums LEFT JOIN latency USING (\(keys)) LEFT JOIN first_token USING (\(keys))
            ORDER BY \(keys)
            """
        return try await database.pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [tenant, from, to]).map { row in
                let values = columns.map { row[$0] as String? ?? "-" }
                var dimensions: [String: String] = [:]
                for (grouping, value) in zip(groupBy, values) { dimensions[grouping.rawValue] = value }
                func percentiles(_ p50: String, _ p95: String) -> UsageRow.Percentiles? {
                    guard let median = row[p50] as Double?, let high = row[p95] as Double? else { return nil }
                    return UsageRow.Percentiles(p50Ms: median, p95Ms: high)
                }
                return UsageRow(
                    group: values.joined(separator: "|"), dimensions: dimensions, requests: row["requests"],
                    failed: row["failed"],
                    promptTokens: row["prompt"], completionTokens: row["completion"], costUSD: row["cost"],
                    interruptedAttempts: row["interrupted"], latency: percentiles("latency_p50", "latency_p95"),
                    timeToFirstToken: percentiles("ttft_p50", "ttft_p95"))
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
