/// One administrative action or erasure, chained to the one before by its hash so that no record can be
/// changed, removed or slipped in without the chain showing it.
public struct AuditEvent: Sendable, Hashable, Codable {
    public var seq: Int64
    public var at: Double
    public var tenant: String
    /// Who acted: a subject (a key id, or `oidc:<issuer tag>:<sub>`), or `cli:USER`.
    public var actor: String
    /// What was done, as `area.verb`: `key.create`, `prompt.label`, `subject.erase`, `master_key.rotate`…
    public var action: String
    public var target: String
    public var details: [String: String]
    public var previousHash: String
    public var hash: String

    public init(
        seq: Int64, at: Double, tenant: String, actor: String, action: String, target: String,
        details: [String: String], previousHash: String, hash: String
    ) {
        self.seq = seq
        self.at = at
        self.tenant = tenant
        self.actor = actor
        self.action = action
        self.target = target
        self.details = details
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The API's keys only: the chain's hash is computed over the fields themselves (`SQLiteAuditLog.hash(of:)`),
    /// never over this encoding.
    enum CodingKeys: String, CodingKey {
        case seq, at, tenant, actor, action, target, details, hash
        case previousHash = "previous_hash"
    }
}

/// What a check of the whole chain found.
public struct AuditVerification: Sendable, Hashable, Codable {
    public var events: Int
    /// The first record whose hash or link does not hold; nil when the chain is whole.
    public var firstBrokenSeq: Int64?
    /// The tenant the first broken record names.
    public var firstBrokenTenant: String?
    public var problem: String?

    public init(events: Int, firstBrokenSeq: Int64?, firstBrokenTenant: String? = nil, problem: String?) {
        self.events = events
        self.firstBrokenSeq = firstBrokenSeq
        self.firstBrokenTenant = firstBrokenTenant
        self.problem = problem
    }

    public var isIntact: Bool { firstBrokenSeq == nil }
}

public protocol AuditLog: Sendable {
    @discardableResult
    func append(
        tenant: String, actor: String, action: String, target: String,
        details: [String: String]
    ) async throws -> AuditEvent
    /// The newest events first, of one tenant or (nil) of all; `after` (an event's `seq`) starts past that event.
    func events(tenant: String?, after: Int64?, limit: Int) async throws -> [AuditEvent]
    func verify() async throws -> AuditVerification
}

extension AuditLog {
    public func events(tenant: String?, limit: Int) async throws -> [AuditEvent] {
        try await events(tenant: tenant, after: nil, limit: limit)
    }
}
