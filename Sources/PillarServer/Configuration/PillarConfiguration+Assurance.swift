import Foundation
import PillarCore

extension PillarConfiguration {
    /// `pillar review`'s thresholds and accepted findings, and the isolation probe's schedule.
    public struct Assurance: Sendable, Codable, Hashable {
        public var review = Review()
        public var isolationProbe = IsolationProbe()

        public init() {}
    }

    public struct Review: Sendable, Codable, Hashable {
        /// An active API key older than this fails the rotation check.
        public var keyRotationDays: Double = 90
        /// An active key unused this long is a warning (a key nobody uses is a key nobody watches).
        public var unusedKeyDays: Double = 30
        /// The newest backup must be younger than this.
        public var backupMaxAgeHours: Double = 26
        /// An evaluation baseline older than this is a warning.
        public var baselineMaxAgeDays: Double = 30
        /// The request rate the workload must sustain; unset, the load-test check says so.
        public var expectedRequestsPerSecond: Double?
        public var loadTestMaxAgeDays: Double = 30
        /// Users' p95 latency over the last day above this is a warning.
        public var latencyP95TargetMs: Double = 10_000
        /// Findings accepted on purpose, by check id, with the reason (printed as evidence).
        public var exceptions: [String: String] = [:]

        public init() {}
    }

    public struct IsolationProbe: Sendable, Codable, Hashable {
        public var enabled = true
        public var intervalSeconds: Double = 900
        /// Also ask a flow as each tenant (a model call per tenant asked); searches alone when false.
        public var askFlows = true
        public var flow = "rag"
        /// Tenants asked through the flow each round, taken in turn; every tenant is searched every round.
        public var flowTenantsPerRound = 5

        public init() {}
    }

    func validateAssurance(into problems: inout ConfigurationProblems) {
        let review = assurance.review
        for (key, value) in [
            ("keyRotationDays", review.keyRotationDays), ("unusedKeyDays", review.unusedKeyDays),
            ("backupMaxAgeHours", review.backupMaxAgeHours), ("baselineMaxAgeDays", review.baselineMaxAgeDays),
            ("loadTestMaxAgeDays", review.loadTestMaxAgeDays), ("latencyP95TargetMs", review.latencyP95TargetMs),
        ]
        where !(value > 0 && value <= 1_000_000) {
            problems.add(key: "assurance.review.\(key)", "must be above 0 and at most 1000000")
        }
        if let rate = review.expectedRequestsPerSecond, !(rate > 0 && rate <= 1_000_000) {
            problems.add(key: "assurance.review.expectedRequestsPerSecond", "must be above 0 and at most 1000000")
        }
        let known = Set(ReviewCatalogue.all.map(\.id))
        for (id, reason) in review.exceptions {
            problems.require(
                known.contains(id), key: "assurance.review.exceptions.\(id)", "is not a review check (see `pillar review --list`)"
            )
            problems.require(
                ReviewCatalogue.all.first(where: { $0.id == id })?.waivable == true, key: "assurance.review.exceptions.\(id)",
                "this check cannot be accepted: fix what it finds")
            problems.require(
                !reason.trimmingCharacters(in: .whitespaces).isEmpty && reason.count <= 500,
                key: "assurance.review.exceptions.\(id)", "must give a reason of 1-500 characters")
        }
        let probe = assurance.isolationProbe
        problems.require(
            (10...86_400).contains(probe.intervalSeconds), key: "assurance.isolationProbe.intervalSeconds",
            "must be 10-86400 seconds")
        problems.require(
            (0...1_000).contains(probe.flowTenantsPerRound), key: "assurance.isolationProbe.flowTenantsPerRound", "must be 0-1000"
        )
        problems.require(!probe.flow.isEmpty, key: "assurance.isolationProbe.flow", "must name a flow")
        if let proxy = server.tlsTerminatedBy, proxy.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.add(key: "server.tlsTerminatedBy", "must name what terminates TLS in front of Pillar")
        }
        for (index, provider) in oidc.enumerated() {
            if ProbeTenant.isReserved(provider.defaultTenant ?? "")
                || (provider.tenantMap ?? [:]).values.contains(where: ProbeTenant.isReserved)
            {
                problems.add(
                    key: "oidc[\(index)].tenantMap", "'\(ProbeTenant.id)' is reserved for the isolation probe")
            }
        }
    }
}

extension PillarConfiguration.Assurance {
    enum CodingKeys: String, CodingKey, CaseIterable { case review, isolationProbe }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        review = try container.value(.review, or: review)
        isolationProbe = try container.value(.isolationProbe, or: isolationProbe)
    }
}

extension PillarConfiguration.Review {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case keyRotationDays, unusedKeyDays, backupMaxAgeHours, baselineMaxAgeDays, expectedRequestsPerSecond
        case loadTestMaxAgeDays, latencyP95TargetMs, exceptions
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keyRotationDays = try container.value(.keyRotationDays, or: keyRotationDays)
        unusedKeyDays = try container.value(.unusedKeyDays, or: unusedKeyDays)
        backupMaxAgeHours = try container.value(.backupMaxAgeHours, or: backupMaxAgeHours)
        baselineMaxAgeDays = try container.value(.baselineMaxAgeDays, or: baselineMaxAgeDays)
        expectedRequestsPerSecond = try container.decodeIfPresent(Double.self, forKey: .expectedRequestsPerSecond)
        loadTestMaxAgeDays = try container.value(.loadTestMaxAgeDays, or: loadTestMaxAgeDays)
        latencyP95TargetMs = try container.value(.latencyP95TargetMs, or: latencyP95TargetMs)
        exceptions = try container.value(.exceptions, or: exceptions)
    }
}

extension PillarConfiguration.IsolationProbe {
    enum CodingKeys: String, CodingKey, CaseIterable { case enabled, intervalSeconds, askFlows, flow, flowTenantsPerRound }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try container.value(.enabled, or: enabled)
        intervalSeconds = try container.value(.intervalSeconds, or: intervalSeconds)
        askFlows = try container.value(.askFlows, or: askFlows)
        flow = try container.value(.flow, or: flow)
        flowTenantsPerRound = try container.value(.flowTenantsPerRound, or: flowTenantsPerRound)
    }
}
