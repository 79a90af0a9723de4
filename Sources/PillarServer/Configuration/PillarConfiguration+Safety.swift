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
        /// A hosted classifier in place of, or beside, the built-in content filter.
        public var remoteClassifier: RemoteClassifier?

        public init() {}

        public func policy(for tenant: String) -> SafetyPolicy { tenants[tenant] ?? tenantDefault }
    }

    /// Azure AI Content Safety or OpenAI's moderation API. The key comes from the environment variable named.
    public struct RemoteClassifier: Sendable, Codable, Hashable {
        public enum Kind: String, ConfigurationChoice { case azure, openai }
        /// What the classifier's verdict does to the built-in filter's.
        public enum Mode: String, ConfigurationChoice { case replace, add }

        public var kind = Kind.azure
        /// `https://NAME.cognitiveservices.azure.com` or `https://api.openai.com/v1`.
        public var endpoint = ""
        public var apiKeyEnv = "PILLAR_CONTENT_SAFETY_KEY"
        public var model = "omni-moderation-latest"
        /// replace the built-in filter (tenant blocklists still apply), or add to it (the worse verdict wins)
        public var mode = Mode.add
        public var timeoutSeconds: Double = 5
        /// When the classifier cannot be reached: let texts through (true) or refuse with 503 (false).
        public var failOpen = false

        public init() {}
    }

    /// One tenant's policy.
    public struct SafetyPolicy: Sendable, Codable, Hashable {
        /// Conversation turns, traces and feedback older than this many days are purged; nil keeps them.
        public var retentionDays: Double?
        public var pii = PIIPolicy()
        public var content = ContentPolicy()
        public var shields = ShieldPolicy()

        public init() {}
    }

    /// The content filter: each category's blocking severity, the tenant's own blocklist, and which way it looks.
    public struct ContentPolicy: Sendable, Codable, Hashable {
        /// `hate`, `sexual`, `violence`, `self_harm` → `low`, `medium`, `high`; a category left out never blocks.
        public var thresholds: [String: String] = [
            "hate": "medium", "sexual": "medium", "violence": "medium", "self_harm": "medium",
        ]
        /// Terms and phrases this tenant never lets through (whole words, any case or accents).
        public var blocklist: [String] = []
        /// Check what users send (chat completions; flows through their guard nodes' `content_filter`).
        public var input = true
        /// Check answers as they stream; a block ends the stream with an error event.
        public var output = true

        public init() {}

        var severityThresholds: [HarmCategory: Severity] {
            var result: [HarmCategory: Severity] = [:]
            for (category, level) in thresholds {
                if let category = HarmCategory(rawValue: category), let severity = Severity(label: level) {
                    result[category] = severity
                }
            }
            result[.blocklist] = .high
            return result
        }
    }

    /// Prompt shields: what to do with a jailbreak in a user's message and with instructions hidden in a
    /// retrieved document.
    public struct ShieldPolicy: Sendable, Codable, Hashable {
        public enum JailbreakAction: String, ConfigurationChoice { case block, flag, off }
        public enum InjectionAction: String, ConfigurationChoice {
            /// Keep the passage, marked as data the model must not obey.
            case fence
            case drop, block, flag, off
        }

        public var jailbreak = JailbreakAction.block
        public var injection = InjectionAction.fence
        public var threshold: Double = 0.5

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

    func validateSafety(into problems: inout ConfigurationProblems) {
        if let remote = safety.remoteClassifier {
            problems.require(isWebURL(remote.endpoint), key: "safety.remoteClassifier.endpoint", "must be an http(s) URL")
            problems.require(
                remote.timeoutSeconds > 0 && remote.timeoutSeconds <= 60, key: "safety.remoteClassifier.timeoutSeconds",
                "must be above 0 and at most 60")
        }
        problems.require(
            safety.retentionCheckSeconds > 0 && safety.retentionCheckSeconds <= 86_400, key: "safety.retentionCheckSeconds",
            "must be above 0 and at most 86400")
        for (name, policy) in [("tenantDefault", safety.tenantDefault)] + safety.tenants.map({ ("tenants.\($0.key)", $0.value) })
        {
            if let days = policy.retentionDays, !(days >= 0 && days <= 36_500) {
                problems.add(key: "safety.\(name).retentionDays", "must be 0-36500")
            }
            if let types = policy.pii.types, types.isEmpty {
                problems.add(key: "safety.\(name).pii.types", "must name at least one type (leave it out for all)")
            }
            problems.require(
                (0...1).contains(policy.pii.minimumConfidence), key: "safety.\(name).pii.minimumConfidence", "must be 0-1")
            for (category, level) in policy.content.thresholds {
                problems.require(
                    HarmCategory(rawValue: category) != nil && category != "blocklist",
                    key: "safety.\(name).content.thresholds.\(category)", "must be hate, sexual, violence or self_harm")
                if Severity(label: level).map({ $0 == .safe }) ?? true {
                    problems.add(key: "safety.\(name).content.thresholds.\(category)", "must be low, medium or high")
                }
            }
            problems.require((0...1).contains(policy.shields.threshold), key: "safety.\(name).shields.threshold", "must be 0-1")
        }
    }
}

extension PillarConfiguration.Safety {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case tenantDefault, tenants, retentionCheckSeconds, remoteClassifier
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tenantDefault = try container.value(.tenantDefault, or: tenantDefault)
        tenants = try container.value(.tenants, or: tenants)
        retentionCheckSeconds = try container.value(.retentionCheckSeconds, or: retentionCheckSeconds)
        remoteClassifier = try container.decodeIfPresent(PillarConfiguration.RemoteClassifier.self, forKey: .remoteClassifier)
    }
}

extension PillarConfiguration.RemoteClassifier {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, endpoint, apiKeyEnv, model, mode, timeoutSeconds, failOpen
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.value(.kind, or: kind)
        endpoint = try container.value(.endpoint, or: endpoint)
        apiKeyEnv = try container.value(.apiKeyEnv, or: apiKeyEnv)
        model = try container.value(.model, or: model)
        mode = try container.value(.mode, or: mode)
        timeoutSeconds = try container.value(.timeoutSeconds, or: timeoutSeconds)
        failOpen = try container.value(.failOpen, or: failOpen)
    }
}

extension PillarConfiguration.SafetyPolicy {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case retentionDays, pii, content, shields
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        retentionDays = try container.decodeIfPresent(Double.self, forKey: .retentionDays)
        pii = try container.value(.pii, or: pii)
        content = try container.value(.content, or: content)
        shields = try container.value(.shields, or: shields)
    }
}

extension PillarConfiguration.ContentPolicy {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case thresholds, blocklist, input, output
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        thresholds = try container.value(.thresholds, or: thresholds)
        blocklist = try container.value(.blocklist, or: blocklist)
        input = try container.value(.input, or: input)
        output = try container.value(.output, or: output)
    }
}

extension PillarConfiguration.ShieldPolicy {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case jailbreak, injection, threshold
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        jailbreak = try container.value(.jailbreak, or: jailbreak)
        injection = try container.value(.injection, or: injection)
        threshold = try container.value(.threshold, or: threshold)
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
