import GRDB
import PillarCore

/// The few whole-database questions `pillar review` asks: users' traffic of the last day, and how much
/// grounding data there is. Evaluation and probe calls are not users' traffic, and the probe's canaries are
/// not grounding data.
public struct SQLiteReviewQueries: Sendable {
    public struct Traffic: Sendable, Hashable {
        public var requests: Int
        public var failed: Int
        public var withoutCost: Int
        public var latencyP95Ms: Double?
        public var timeToFirstTokenP95Ms: Double?
    }

    let database: PillarDatabase
    /// Latencies read for the percentiles at most (the newest ones).
    static let sampleLimit = 50_000

    public init(database: PillarDatabase) { self.database = database }

    public func traffic(since: Double) async throws -> Traffic {
        try await database.pool.read { db in
            let filter =
                "created_at >= ? AND attempt_of IS NULL AND subject NOT LIKE 'eval:%' AND subject NOT LIKE 'probe:%' AND tenant_id != ?"
            let arguments: StatementArguments = [since, ProbeTenant.id]
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS requests, coalesce(sum(status = 'failed'), 0) AS failed,
                           coalesce(sum(cost_usd IS NULL), 0) AS without_cost
                    FROM turn WHERE \(filter)
                    """, arguments: arguments)
            let latencies = try Double.fetchAll(
                db, sql: "SELECT latency_ms FROM turn WHERE \(filter) ORDER BY created_at DESC LIMIT ?",
                arguments: arguments + [Self.sampleLimit])
            let firstTokens = try Double.fetchAll(
                db,
                sql: """
                    SELECT ttft_ms FROM turn WHERE \(filter) AND ttft_ms IS NOT NULL ORDER BY created_at DESC LIMIT ?
                    """, arguments: arguments + [Self.sampleLimit])
            return Traffic(
                requests: row?["requests"] ?? 0, failed: row?["failed"] ?? 0, withoutCost: row?["without_cost"] ?? 0,
                latencyP95Ms: NearestRank.percentile(0.95, of: latencies),
                timeToFirstTokenP95Ms: NearestRank.percentile(0.95, of: firstTokens))
        }
    }

    public func documentCount() async throws -> Int {
        try await database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM document WHERE tenant_id != ?", arguments: [ProbeTenant.id]) ?? 0
        }
    }
}
