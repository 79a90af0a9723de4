import Foundation
import PillarCore
import PillarSafety

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
        public var pii = PIIPolicy()

        public init() {}
    }

    /// Personal data: which kinds are looked for, what is done with them, and where.
    public struct PIIPolicy: Sendable, Codable, Hashable {
        /// redact ("[EMAIL]"), mask ("****@example.com"), pseudonymize (a keyed hash, the same for the same
        /// value) or block (refuse a request holding personal data; what is stored is redacted).
        public var action: PIIAction = .redact
        /// The kinds looked for; nil: all of them.
        public var types: [PIIType]?
        public var minimumConfidence: Double = 0.5
        /// Conversation turns, titles, traces and feedback comments lose their personal data before they are stored.
        public var beforeStorage = true
        /// Messages lose it before they leave for a model (or, with `block`, such requests are refused).
        public var beforeModel = false
        /// Ingested documents lose it before they are chunked and indexed.
        public var documents = false

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
            guard (0...1).contains(policy.pii.minimumConfidence) else {
                throw ConfigurationError(key: "safety.\(name).pii.minimumConfidence", "must be 0-1")
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
        case retentionDays, pii
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        retentionDays = try container.decodeIfPresent(Double.self, forKey: .retentionDays)
        pii = try container.value(.pii, or: pii)
    }
}

extension PillarConfiguration.PIIPolicy {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case action, types, minimumConfidence, beforeStorage, beforeModel, documents
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = try container.value(.action, or: action)
        types = try container.decodeIfPresent([PIIType].self, forKey: .types)
        minimumConfidence = try container.value(.minimumConfidence, or: minimumConfidence)
        beforeStorage = try container.value(.beforeStorage, or: beforeStorage)
        beforeModel = try container.value(.beforeModel, or: beforeModel)
        documents = try container.value(.documents, or: documents)
    }
}
