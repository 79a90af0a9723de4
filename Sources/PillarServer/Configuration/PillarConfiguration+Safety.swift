import Foundation
import PillarCore

extension PillarConfiguration {
    /// Responsible AI and data protection: what is checked and removed, both ways, per tenant.
    public struct Safety: Sendable, Codable, Hashable {
        /// The policy of every tenant not listed in `tenants`.
        public var tenantDefault = SafetyPolicy()
        public var tenants: [String: SafetyPolicy] = [:]
        /// How often retention purges run.
        public var retentionCheckSeconds: Double = 3_600

        public init() {}

        public func policy(for tenant: String) -> SafetyPolicy { tenants[tenant] ?? tenantDefault }
    }

    /// One tenant's policy.
    public struct SafetyPolicy: Sendable, Codable, Hashable {
        /// Conversation turns, traces and feedback older than this many days are purged; nil keeps them.
        public var retentionDays: Double?

        public init() {}
    }

    func validateSafety() throws {
        guard safety.retentionCheckSeconds > 0, safety.retentionCheckSeconds <= 86_400 else {
            throw ConfigurationError(key: "safety.retentionCheckSeconds", "must be above 0 and at most 86400")
        }
        for (name, policy) in [("tenantDefault", safety.tenantDefault)] + safety.tenants.map({ ("tenants.\($0.key)", $0.value) }) {
            if let days = policy.retentionDays, !(days >= 0 && days <= 36_500) {
                throw ConfigurationError(key: "safety.\(name).retentionDays", "must be 0-36500")
            }
        }
    }
}

extension PillarConfiguration.Safety {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case tenantDefault, tenants, retentionCheckSeconds
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tenantDefault = try container.value(.tenantDefault, or: tenantDefault)
        tenants = try container.value(.tenants, or: tenants)
        retentionCheckSeconds = try container.value(.retentionCheckSeconds, or: retentionCheckSeconds)
    }
}

extension PillarConfiguration.SafetyPolicy {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case retentionDays
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        retentionDays = try container.decodeIfPresent(Double.self, forKey: .retentionDays)
    }
}
