/// A stored API key, without its secret: only the hash of the key is ever kept.
public struct APIKeyRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenant: String
    public var name: String
    public var role: Role
    /// The first characters of the key, enough for a person to recognise it in a list.
    public var prefix: String
    public var createdAt: Double
    public var revokedAt: Double?
    public var lastUsedAt: Double?

    public init(
        id: String, tenant: String, name: String, role: Role, prefix: String, createdAt: Double,
        revokedAt: Double? = nil, lastUsedAt: Double? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.name = name
        self.role = role
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenant, name, role, prefix
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
        case lastUsedAt = "last_used_at"
    }
}

public protocol TenantRepository: Sendable {
    func ensureTenant(_ id: String) async throws -> Tenant
    func tenant(_ id: String) async throws -> Tenant?
    func listTenants() async throws -> [Tenant]
}

public protocol APIKeyRepository: Sendable {
    func insertKey(_ record: APIKeyRecord, hash: String) async throws
    /// The live (not revoked) key with this hash, marking it used.
    func activeKey(hash: String) async throws -> APIKeyRecord?
    func listKeys(tenant: String?) async throws -> [APIKeyRecord]
    /// Revokes a key; false when no such key exists in that tenant (nil tenant: any).
    func revokeKey(id: String, tenant: String?) async throws -> Bool
    func countKeys(tenant: String) async throws -> Int
}

/// One model call as the gateway saw it. Holds counts and timings, never the conversation's text.
public struct TurnRecord: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case succeeded
        case failed
        case cancelled
    }

    public var id: String
    public var tenant: String
    public var subject: String
    public var model: String
    public var deployment: String?
    public var status: Status
    public var errorCode: String?
    public var streamed: Bool
    public var promptTokens: Int
    public var completionTokens: Int
    /// True when the upstream reported no usage and Pillar estimated it.
    public var usageEstimated: Bool
    /// Attempts the gateway made, the answering one included.
    public var attempts: Int
    /// What the turn cost, in US dollars, from the configured prices; nil when the model has none.
    public var costUSD: Double?
    public var latencyMs: Double
    public var timeToFirstTokenMs: Double?
    public var traceID: String?
    public var createdAt: Double
    /// Set on an interrupted attempt that another deployment continued: the id of the answer's turn. Its
    /// tokens count against budgets, but it is not a request of its own.
    public var attemptOf: String?

    public init(
        id: String, tenant: String, subject: String, model: String, deployment: String?, status: Status,
        errorCode: String?, streamed: Bool, promptTokens: Int, completionTokens: Int,
        usageEstimated: Bool = false, attempts: Int = 1, costUSD: Double? = nil, latencyMs: Double,
        timeToFirstTokenMs: Double?, traceID: String?, createdAt: Double, attemptOf: String? = nil
    ) {
        self.attemptOf = attemptOf
        self.costUSD = costUSD
        self.usageEstimated = usageEstimated
        self.attempts = attempts
        self.id = id
        self.tenant = tenant
        self.subject = subject
        self.model = model
        self.deployment = deployment
        self.status = status
        self.errorCode = errorCode
        self.streamed = streamed
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMs = latencyMs
        self.timeToFirstTokenMs = timeToFirstTokenMs
        self.traceID = traceID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenant, subject, model, deployment, status, streamed, attempts
        case errorCode = "error_code"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case usageEstimated = "usage_estimated"
        case costUSD = "cost_usd"
        case latencyMs = "latency_ms"
        case timeToFirstTokenMs = "time_to_first_token_ms"
        case traceID = "trace_id"
        case createdAt = "created_at"
        case attemptOf = "attempt_of"
    }
}

public protocol TurnRepository: Sendable {
    func recordTurn(_ turn: TurnRecord) async throws
    /// The newest turns first; `after` (a turn's id) starts past that turn, for paging.
    func listTurns(tenant: String, after: String?, limit: Int) async throws -> [TurnRecord]
    /// The calls one subject's request made under one telemetry trace id, oldest first: what a flow's trace cost.
    func turns(tenant: String, subject: String, traceID: String) async throws -> [TurnRecord]
    /// Marks a recorded turn as failed after the fact (an answer the content filter stopped once the upstream
    /// had already finished).
    func markTurnFailed(id: String, tenant: String, errorCode: String) async throws
}

/// Usage summed over a group of turns.
public struct UsageRow: Sendable, Hashable, Codable {
    /// The group's values joined by `|`, in the order they were asked for: the row's name and its cursor.
    public var group: String
    /// Each grouping's value by name (`day`, `model`…).
    public var dimensions: [String: String]
    public var requests: Int
    public var failed: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var costUSD: Double
    /// Attempts interrupted in mid-stream and continued elsewhere; their tokens and cost are in the sums above.
    public var interruptedAttempts: Int
    /// Nearest-rank percentiles of the succeeded requests' whole time, and of the streamed ones' time to first
    /// token; nil when the group has none.
    public var latency: Percentiles?
    public var timeToFirstToken: Percentiles?

    public struct Percentiles: Sendable, Hashable, Codable {
        public var p50Ms: Double
        public var p95Ms: Double

        public init(p50Ms: Double, p95Ms: Double) {
            self.p50Ms = p50Ms
            self.p95Ms = p95Ms
        }

        enum CodingKeys: String, CodingKey {
            case p50Ms = "p50_ms"
            case p95Ms = "p95_ms"
        }
    }

    public init(
        group: String, dimensions: [String: String] = [:], requests: Int, failed: Int, promptTokens: Int,
        completionTokens: Int, costUSD: Double, interruptedAttempts: Int = 0, latency: Percentiles? = nil,
        timeToFirstToken: Percentiles? = nil
    ) {
        self.interruptedAttempts = interruptedAttempts
        self.group = group
        self.dimensions = dimensions
        self.requests = requests
        self.failed = failed
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
        self.latency = latency
        self.timeToFirstToken = timeToFirstToken
    }

    enum CodingKeys: String, CodingKey {
        case group, dimensions, requests, failed, latency
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case costUSD = "cost_usd"
        case interruptedAttempts = "interrupted_attempts"
        case timeToFirstToken = "time_to_first_token"
    }
}

public enum UsageGrouping: String, Sendable, CaseIterable {
    /// UTC days (`2026-12-07`) and hours (`2026-12-07T14:00Z`).
    case day, hour
    case model, key, deployment
    /// `user` or `evaluation`: evaluation runs' traffic shown apart from the users'.
    case purpose
}

public protocol UsageReports: Sendable {
    /// The tenant's usage between two moments (seconds since 1970, end excluded), grouped by one grouping or
    /// by several at once (`[.day, .model]`: each model's usage on each day).
    func usage(tenant: String, from: Double, to: Double, groupBy: [UsageGrouping]) async throws -> [UsageRow]
}

/// Tokens already spent, so that budgets survive a restart.
public protocol UsageLedger: Sendable {
    /// Prompt and completion tokens of the tenant's turns since a moment (seconds since 1970), all of them or
    /// only one subject's (an API key's id).
    func tokensUsed(tenant: String, subject: String?, since: Double) async throws -> Int
    /// What those turns cost, in US dollars, at the prices configured when they were recorded.
    func costUsed(tenant: String, subject: String?, since: Double) async throws -> Double
}

/// The storage as a whole, for readiness checks.
public protocol HealthCheckable: Sendable {
    func checkHealth() async throws
}

extension TurnRepository {
    public func listTurns(tenant: String, limit: Int) async throws -> [TurnRecord] {
        try await listTurns(tenant: tenant, after: nil, limit: limit)
    }
}
