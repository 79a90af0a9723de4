/// A monitor: a signal over a window against thresholds, with what too little data means and how much
/// better the signal must get, for how many rounds, before a raised monitor clears.
public struct MonitorSpec: Sendable, Hashable, Codable {
    public enum Direction: String, Sendable, Hashable, Codable {
        /// Raised when the signal rises above the threshold (error rate, latency).
        case above
        /// Raised when it falls below (scores, drift p-value).
        case below
    }

    public enum NoData: String, Sendable, Hashable, Codable, CaseIterable {
        case ok, keep, warning, alert
    }

    public var name: String
    public var signal: QualitySignal
    /// Nil watches every tenant (flow, label), each separately.
    public var tenant: String?
    public var flow: String?
    public var label: String?
    public var windowSeconds: Int
    public var direction: Direction
    public var warning: Double?
    public var alert: Double
    public var minimumSamples: Int
    public var noData: NoData
    /// How far past a threshold, in the good direction, the signal must come back before the level drops.
    public var hysteresis: Double
    /// Rounds in a row the signal must stay cleared before the level drops.
    public var clearAfter: Int

    public init(
        name: String, signal: QualitySignal, tenant: String? = nil, flow: String? = nil, label: String? = nil,
        windowSeconds: Int = 3600, direction: Direction? = nil, warning: Double? = nil, alert: Double,
        minimumSamples: Int = 20, noData: NoData = .keep, hysteresis: Double = 0, clearAfter: Int = 2
    ) {
        self.name = name
        self.signal = signal
        self.tenant = tenant
        self.flow = flow
        self.label = label
        self.windowSeconds = windowSeconds
        self.direction = direction ?? (signal.higherIsBetter ? .below : .above)
        self.warning = warning
        self.alert = alert
        self.minimumSamples = minimumSamples
        self.noData = noData
        self.hysteresis = hysteresis
        self.clearAfter = clearAfter
    }

    /// Why the spec cannot work, or nil.
    public var problem: String? {
        guard !name.isEmpty, name.count <= 64,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
        else {
            return "name must be 1-64 characters of letters, digits, '-', '_' or '.'"
        }
        guard alert.isFinite, warning?.isFinite ?? true, hysteresis.isFinite, hysteresis >= 0 else {
            return "thresholds and hysteresis must be finite numbers, hysteresis at least 0"
        }
        if let warning {
            switch direction {
            case .below where warning < alert:
                return "with direction below, warning (\(warning)) must be at or above alert (\(alert))"
            case .above where warning > alert:
                return "with direction above, warning (\(warning)) must be at or below alert (\(alert))"
            default: break
            }
        }
        guard (1...30 * 86_400).contains(windowSeconds) else { return "windowSeconds must be 1-2592000" }
        guard (1...100_000).contains(minimumSamples) else { return "minimumSamples must be 1-100000" }
        guard (1...100).contains(clearAfter) else { return "clearAfter must be 1-100" }
        return nil
    }

    /// The level `value` calls for, with the thresholds moved `margin` in the good direction.
    func level(of value: Double, margin: Double = 0) -> MonitorLevel {
        func breaches(_ threshold: Double) -> Bool {
            switch direction {
            case .above: value > threshold - margin
            case .below: value < threshold + margin
            }
        }
        if breaches(alert) { return .alert }
        if let warning, breaches(warning) { return .warning }
        return .ok
    }

    /// What the product ships when `monitoring.monitors` is unset: thresholds loose enough that a healthy
    /// deployment on the embedded defaults stays ok, tight enough that a real decline raises them.
    public static let shipped: [MonitorSpec] = [
        MonitorSpec(name: "groundedness-low", signal: .groundedness, warning: 0.7, alert: 0.6, hysteresis: 0.05),
        MonitorSpec(name: "relevance-low", signal: .relevance, warning: 0.6, alert: 0.5, hysteresis: 0.05),
        MonitorSpec(
            name: "error-rate-high", signal: .errorRate, windowSeconds: 900, warning: 0.02, alert: 0.05,
            minimumSamples: 50, hysteresis: 0.01),
        MonitorSpec(
            name: "refusal-rate-high", signal: .refusalRate, warning: 0.1, alert: 0.2, minimumSamples: 50,
            hysteresis: 0.02),
        MonitorSpec(
            name: "abstention-rate-high", signal: .abstentionRate, warning: 0.3, alert: 0.5, minimumSamples: 50,
            hysteresis: 0.05),
        MonitorSpec(
            name: "thumbs-down-high", signal: .thumbsDownShare, windowSeconds: 86_400, warning: 0.2, alert: 0.35,
            minimumSamples: 10, hysteresis: 0.05),
        MonitorSpec(
            name: "latency-p95-high", signal: .latencyP95, windowSeconds: 900, warning: 15_000, alert: 30_000,
            minimumSamples: 50, hysteresis: 1_000),
        MonitorSpec(
            name: "query-drift", signal: .queryDrift, warning: 0.01, alert: 0.002, minimumSamples: 20,
            hysteresis: 0.01),
    ]
}

public enum MonitorLevel: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case ok, warning, alert

    var rank: Int {
        switch self {
        case .ok: 0
        case .warning: 1
        case .alert: 2
        }
    }

    public static func < (lhs: MonitorLevel, rhs: MonitorLevel) -> Bool { lhs.rank < rhs.rank }
}
