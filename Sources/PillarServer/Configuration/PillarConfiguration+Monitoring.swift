import Foundation
import PillarEval
import PillarMonitoring

extension PillarConfiguration {
    /// Production quality: which answers the judges score, the monitors watching the signals, where alerts
    /// go, how canary analyses run, and the scheduled decay evaluations.
    public struct Monitoring: Sendable, Codable, Hashable {
        public var enabled = true
        /// Every tenant's rule unless `tenants` names it.
        public var sampling = Sampling(rate: 0.1)
        public var tenants: [String: Sampling] = [:]
        /// The judges' model; unset, `evaluation.judgeModel`, then the flows' model.
        public var judgeModel: String?
        public var judgeConcurrency = 2
        /// Answers waiting to be stored; beyond it they are dropped and counted (`pillar_quality_dropped_total`).
        public var queueLimit = 10_000
        /// Sampled answers waiting for the judges; beyond it they are stored unjudged.
        public var judgeBacklog = 1_000
        /// How often signals, drift and monitors are computed.
        public var evaluationIntervalSeconds: Double = 30
        /// The window the exported signals cover.
        public var signalWindowSeconds: Int = 3600
        public var drift = Drift()
        /// Unset, the shipped monitors (`MonitorSettings.shipped`).
        public var monitors: [MonitorSettings]?
        public var webhooks: [Webhook] = []
        public var canary = Canary()
        public var decay: [Decay] = []

        public init() {}
    }

    public struct Sampling: Sendable, Codable, Hashable {
        public var rate: Double
        public var judges: [String] = SamplingRule.judgeMetrics
        public var flows: [String] = []
        public var labels: [String] = []
        public var models: [String] = []

        public init(rate: Double) { self.rate = rate }

        var rule: SamplingRule { SamplingRule(rate: rate, judges: judges, flows: flows, labels: labels, models: models) }
    }

    /// Query-embedding drift: the queries of the last `windowSeconds` against those of the `referenceSeconds`
    /// before them, by MMD with a permutation p-value.
    public struct Drift: Sendable, Codable, Hashable {
        public var enabled = true
        public var windowSeconds = 3600
        public var referenceSeconds = 7 * 86_400
        public var minimumPerSide = 20
        public var maximumPerSide = 200
        /// The smallest p-value the test can give is 1/(permutations+1): 0.001 at the default.
        public var permutations = 999

        public init() {}
    }

    public struct Webhook: Sendable, Codable, Hashable {
        public var name: String
        public var url: String
        /// The environment variable holding the HMAC secret; unset, deliveries are not signed.
        public var secretEnv: String?
        /// Event kinds (`monitor.state`, `canary.promoted`, `canary.rolled_back`, `canary.paused`, `decay.alert`,
        /// `test`); unset, all.
        public var events: [String]?
        public var timeoutSeconds: Double = 5
        public var maxAttempts = 6

        public init(name: String, url: String) {
            self.name = name
            self.url = url
        }
    }

    /// Canary analyses: how often they are looked at, what they sample, and the defaults a request may omit.
    public struct Canary: Sendable, Codable, Hashable {
        public var tickSeconds: Double = 5
        /// The share of a label's answers judged while its canary is analysed.
        public var samplingRate: Double = 1
        public var steps = [5, 25, 50]
        public var intervalSeconds = 300
        public var minimumSamples = 20
        public var failureLimit = 2

        public init() {}
    }

    /// A scheduled evaluation of a dataset against a flow label, compared by a gate with the dataset's
    /// baseline run for the flow: model decay shows as a failing gate.
    public struct Decay: Sendable, Codable, Hashable {
        public var tenant = "default"
        public var dataset: String
        public var flow = "rag"
        public var label = "production"
        public var everySeconds = 86_400
        /// The gate requirement, as `pillar eval gate` takes it: the scheduled run is the candidate and the
        /// dataset's baseline run for the flow the baseline. Unset, mean groundedness may not fall more than a
        /// quarter point (of 1-5) below the baseline's.
        public var gate = "groundedness>=baseline-0.25"

        public init(dataset: String) { self.dataset = dataset }
    }

    /// A monitor as configured; `MonitorSettings.spec` checks and converts it.
    public struct MonitorSettings: Sendable, Codable, Hashable {
        public var name: String
        public var signal: String
        public var tenant: String?
        public var flow: String?
        public var label: String?
        public var windowSeconds = 3600
        /// `below`: alert when the signal falls below the threshold (scores); `above`: when it rises above
        /// (error rate, latency). Unset, below for the signals where higher is better.
        public var direction: String?
        public var warning: Double?
        public var alert: Double
        public var minimumSamples = 20
        /// What a window with fewer samples means: `ok`, `keep` (the last state), `warning` or `alert`.
        public var noData = "keep"
        public var hysteresis: Double = 0
        public var clearAfter = 2

        public init(name: String, signal: String, alert: Double) {
            self.name = name
            self.signal = signal
            self.alert = alert
        }
    }
}

extension PillarConfiguration.Monitoring {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled, sampling, tenants, judgeModel, judgeConcurrency, queueLimit, judgeBacklog
        case evaluationIntervalSeconds, signalWindowSeconds, drift, monitors, webhooks, canary, decay
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try container.value(.enabled, or: enabled)
        sampling = try container.value(.sampling, or: sampling)
        tenants = try container.value(.tenants, or: tenants)
        judgeModel = try container.decodeIfPresent(String.self, forKey: .judgeModel)
        judgeConcurrency = try container.value(.judgeConcurrency, or: judgeConcurrency)
        queueLimit = try container.value(.queueLimit, or: queueLimit)
        judgeBacklog = try container.value(.judgeBacklog, or: judgeBacklog)
        evaluationIntervalSeconds = try container.value(.evaluationIntervalSeconds, or: evaluationIntervalSeconds)
        signalWindowSeconds = try container.value(.signalWindowSeconds, or: signalWindowSeconds)
        drift = try container.value(.drift, or: drift)
        monitors = try container.decodeIfPresent([PillarConfiguration.MonitorSettings].self, forKey: .monitors)
        webhooks = try container.value(.webhooks, or: webhooks)
        canary = try container.value(.canary, or: canary)
        decay = try container.value(.decay, or: decay)
    }

    /// The tenant's sampling rule, or nil when monitoring is off.
    func rule(for tenant: String) -> SamplingRule? {
        enabled ? (tenants[tenant] ?? sampling).rule : nil
    }
}

extension PillarConfiguration.Sampling {
    enum CodingKeys: String, CodingKey, CaseIterable { case rate, judges, flows, labels, models }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(rate: try container.value(.rate, or: 0.1))
        judges = try container.value(.judges, or: judges)
        flows = try container.value(.flows, or: flows)
        labels = try container.value(.labels, or: labels)
        models = try container.value(.models, or: models)
    }
}

extension PillarConfiguration.Drift {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled, windowSeconds, referenceSeconds, minimumPerSide, maximumPerSide, permutations
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try container.value(.enabled, or: enabled)
        windowSeconds = try container.value(.windowSeconds, or: windowSeconds)
        referenceSeconds = try container.value(.referenceSeconds, or: referenceSeconds)
        minimumPerSide = try container.value(.minimumPerSide, or: minimumPerSide)
        maximumPerSide = try container.value(.maximumPerSide, or: maximumPerSide)
        permutations = try container.value(.permutations, or: permutations)
    }
}

extension PillarConfiguration.Webhook {
    enum CodingKeys: String, CodingKey, CaseIterable { case name, url, secretEnv, events, timeoutSeconds, maxAttempts }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name), url: try container.decode(String.self, forKey: .url))
        secretEnv = try container.decodeIfPresent(String.self, forKey: .secretEnv)
        events = try container.decodeIfPresent([String].self, forKey: .events)
        timeoutSeconds = try container.value(.timeoutSeconds, or: timeoutSeconds)
        maxAttempts = try container.value(.maxAttempts, or: maxAttempts)
    }
}

extension PillarConfiguration.Canary {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case tickSeconds, samplingRate, steps, intervalSeconds, minimumSamples, failureLimit
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tickSeconds = try container.value(.tickSeconds, or: tickSeconds)
        samplingRate = try container.value(.samplingRate, or: samplingRate)
        steps = try container.value(.steps, or: steps)
        intervalSeconds = try container.value(.intervalSeconds, or: intervalSeconds)
        minimumSamples = try container.value(.minimumSamples, or: minimumSamples)
        failureLimit = try container.value(.failureLimit, or: failureLimit)
    }
}

extension PillarConfiguration.Decay {
    enum CodingKeys: String, CodingKey, CaseIterable { case tenant, dataset, flow, label, everySeconds, gate }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(dataset: try container.decode(String.self, forKey: .dataset))
        tenant = try container.value(.tenant, or: tenant)
        flow = try container.value(.flow, or: flow)
        label = try container.value(.label, or: label)
        everySeconds = try container.value(.everySeconds, or: everySeconds)
        gate = try container.value(.gate, or: gate)
    }
}

extension PillarConfiguration.MonitorSettings {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, signal, tenant, flow, label, windowSeconds, direction, warning, alert, minimumSamples, noData
        case hysteresis, clearAfter
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name), signal: try container.decode(String.self, forKey: .signal),
            alert: try container.decode(Double.self, forKey: .alert))
        tenant = try container.decodeIfPresent(String.self, forKey: .tenant)
        flow = try container.decodeIfPresent(String.self, forKey: .flow)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        windowSeconds = try container.value(.windowSeconds, or: windowSeconds)
        direction = try container.decodeIfPresent(String.self, forKey: .direction)
        warning = try container.decodeIfPresent(Double.self, forKey: .warning)
        minimumSamples = try container.value(.minimumSamples, or: minimumSamples)
        noData = try container.value(.noData, or: noData)
        hysteresis = try container.value(.hysteresis, or: hysteresis)
        clearAfter = try container.value(.clearAfter, or: clearAfter)
    }
}

extension PillarConfiguration {
    func validateMonitoring(into problems: inout ConfigurationProblems) {
        let settings = monitoring
        for (key, sampling) in [("monitoring.sampling", settings.sampling)]
            + settings.tenants.sorted(by: { $0.key < $1.key })
            .map({ ("monitoring.tenants.\($0.key)", $0.value) })
        {
            problems.require(sampling.rate.isFinite && (0...1).contains(sampling.rate), key: key + ".rate", "must be 0-1")
            if let judge = sampling.judges.first(where: { !SamplingRule.judgeMetrics.contains($0) }) {
                problems.add(
                    key: key + ".judges",
                    "'\(judge)' is not one of \(SamplingRule.judgeMetrics.joined(separator: ", "))")
            }
        }
        if let model = settings.judgeModel, model.isEmpty {
            problems.add(key: "monitoring.judgeModel", "must not be empty")
        }
        problems.require((1...64).contains(settings.judgeConcurrency), key: "monitoring.judgeConcurrency", "must be 1-64")
        problems.require(
            (1...1_000_000).contains(settings.queueLimit) && (1...1_000_000).contains(settings.judgeBacklog),
            key: "monitoring.queueLimit", "queueLimit and judgeBacklog must be 1-1000000")
        problems.require(
            settings.evaluationIntervalSeconds.isFinite && (0.1...86_400).contains(settings.evaluationIntervalSeconds),
            key: "monitoring.evaluationIntervalSeconds", "must be 0.1-86400")
        problems.require(
            (1...30 * 86_400).contains(settings.signalWindowSeconds), key: "monitoring.signalWindowSeconds", "must be 1-2592000")
        let drift = settings.drift
        problems.require(
            (1...30 * 86_400).contains(drift.windowSeconds) && (1...365 * 86_400).contains(drift.referenceSeconds),
            key: "monitoring.drift", "windowSeconds must be 1-2592000 and referenceSeconds 1-31536000")
        problems.require(
            (5...1000).contains(drift.minimumPerSide) && (drift.minimumPerSide...1000).contains(drift.maximumPerSide),
            key: "monitoring.drift", "minimumPerSide must be 5-1000 and maximumPerSide from it to 1000")
        problems.require((19...10_000).contains(drift.permutations), key: "monitoring.drift.permutations", "must be 19-10000")
        var names = Set<String>()
        for webhook in settings.webhooks {
            problems.require(
                names.insert(webhook.name).inserted && !webhook.name.isEmpty && webhook.name.count <= 64,
                key: "monitoring.webhooks", "names must be unique, 1-64 characters")
            problems.require(
                isWebURL(webhook.url), key: "monitoring.webhooks.\(webhook.name).url", "must be an http or https URL")
            problems.require(
                webhook.timeoutSeconds.isFinite && (0.1...120).contains(webhook.timeoutSeconds)
                    && (1...20).contains(webhook.maxAttempts), key: "monitoring.webhooks.\(webhook.name)",
                "timeoutSeconds must be 0.1-120 and maxAttempts 1-20")
        }
        let canary = settings.canary
        problems.require(
            canary.tickSeconds.isFinite && (0.05...3600).contains(canary.tickSeconds) && canary.samplingRate.isFinite
                && (0...1).contains(canary.samplingRate), key: "monitoring.canary",
            "tickSeconds must be 0.05-3600 and samplingRate 0-1")
        for decay in settings.decay {
            problems.require(
                (5...30 * 86_400).contains(decay.everySeconds), key: "monitoring.decay.\(decay.dataset).everySeconds",
                "must be 5-2592000")
        }
        validateMonitorsAndCanaryDefaults(into: &problems)
    }
}

extension PillarConfiguration.MonitorSettings {
    /// The monitor this configures, or why it cannot.
    func spec() throws -> MonitorSpec {
        let key = "monitoring.monitors.\(name)"
        guard let signal = QualitySignal(rawValue: signal) else {
            throw ConfigurationError(
                key: key + ".signal",
                "'\(self.signal)' is not one of \(QualitySignal.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var parsedDirection: MonitorSpec.Direction?
        if let direction {
            guard let value = MonitorSpec.Direction(rawValue: direction) else {
                throw ConfigurationError(key: key + ".direction", "must be above or below")
            }
            parsedDirection = value
        }
        guard let noData = MonitorSpec.NoData(rawValue: noData) else {
            throw ConfigurationError(key: key + ".noData", "must be one of ok, keep, warning, alert")
        }
        let spec = MonitorSpec(
            name: name, signal: signal, tenant: tenant, flow: flow, label: label,
            windowSeconds: windowSeconds, direction: parsedDirection, warning: warning, alert: alert,
            minimumSamples: minimumSamples, noData: noData, hysteresis: hysteresis, clearAfter: clearAfter)
        if let problem = spec.problem { throw ConfigurationError(key: key, problem) }
        return spec
    }
}

extension PillarConfiguration.Monitoring {
    /// The monitors in force: the configured ones, or the shipped set when none are configured.
    func monitorSpecs() throws -> [MonitorSpec] {
        guard let monitors else { return MonitorSpec.shipped }
        return try monitors.map { try $0.spec() }
    }

    /// What a canary analysis runs by when its request leaves a field out.
    var canaryDefaults: CanaryAnalysisSpec {
        CanaryAnalysisSpec(
            steps: canary.steps, intervalSeconds: canary.intervalSeconds,
            minimumSamples: canary.minimumSamples, failureLimit: canary.failureLimit)
    }
}

extension PillarConfiguration {
    func validateMonitorsAndCanaryDefaults(into problems: inout ConfigurationProblems) {
        var specs = MonitorSpec.shipped
        if let monitors = monitoring.monitors {
            specs = monitors.compactMap { monitor in
                do { return try monitor.spec() } catch let error as ConfigurationError {
                    problems.add(error)
                } catch {
                    problems.add(key: "monitoring.monitors.\(monitor.name)", "\(error)")
                }
                return nil
            }
        }
        var names = Set<String>()
        for spec in specs where !names.insert(spec.name).inserted {
            problems.add(key: "monitoring.monitors", "the monitor name '\(spec.name)' is used twice")
        }
        // A permutation p-value is never below 1/(permutations+1): a drift threshold at or under it never fires.
        let floor = 1 / (Double(monitoring.drift.permutations) + 1)
        for spec in specs where spec.signal == .queryDrift && spec.direction == .below && spec.alert <= floor {
            problems.add(
                key: "monitoring.monitors.\(spec.name).alert",
                "\(spec.alert) can never be reached: with \(monitoring.drift.permutations) permutations the smallest p-value is \(String(format: "%.2g", floor)); raise monitoring.drift.permutations or the threshold"
            )
        }
        do { _ = try monitoring.canaryDefaults.validated() } catch {
            problems.add(key: "monitoring.canary", error.message)
        }
        for webhook in monitoring.webhooks {
            if let unknown = webhook.events?.first(where: { AlertEvent.Kind(rawValue: $0) == nil }) {
                problems.add(
                    key: "monitoring.webhooks.\(webhook.name).events",
                    "'\(unknown)' is not one of \(AlertEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        for decay in monitoring.decay {
            do { _ = try GateRequirement.parse(decay.gate) } catch {
                problems.add(key: "monitoring.decay.\(decay.dataset).gate", error.message)
            }
        }
    }
}
