import PillarCore

/// Which production answers the judges score: a share of them, chosen by trace id (so a replica, a retry of
/// the evaluator or a person reading the trace all agree on whether an answer was sampled), optionally only
/// some flows, labels or models.
public struct SamplingRule: Sendable, Hashable {
    /// 0 to 1.
    public var rate: Double
    /// The judge metrics asked: `groundedness`, `relevance`.
    public var judges: [String]
    /// Empty: every flow (label, model).
    public var flows: [String]
    public var labels: [String]
    public var models: [String]

    public static let judgeMetrics = ["groundedness", "relevance"]

    public init(
        rate: Double = 0.1, judges: [String] = SamplingRule.judgeMetrics, flows: [String] = [],
        labels: [String] = [], models: [String] = []
    ) {
        self.rate = rate
        self.judges = judges
        self.flows = flows
        self.labels = labels
        self.models = models
    }

    public func matches(_ sample: QualitySample) -> Bool {
        (flows.isEmpty || flows.contains(sample.flow))
            && (labels.isEmpty || labels.contains(sample.label ?? ""))
            && (models.isEmpty || models.contains(sample.model ?? ""))
    }

    /// Whether the rule samples this answer at `rate` (a canary under analysis may ask for more than the
    /// tenant's rule).
    public func selects(_ sample: QualitySample, rate: Double? = nil) -> Bool {
        matches(sample) && Self.position(of: sample.traceID) < (rate ?? self.rate)
    }

    /// Where a trace id falls in [0, 1): FNV-1a of its bytes, so the choice is the same on every machine.
    static func position(of traceID: String) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in traceID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        // The top 53 bits, as many as a Double holds exactly.
        return Double(hash >> 11) / Double(UInt64(1) << 53)
    }

}
