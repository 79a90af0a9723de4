import PillarCore

/// What production monitoring measures per tenant and flow label.
public enum QualitySignal: String, Sendable, Hashable, Codable, CaseIterable {
    /// Mean judge score, 0-1, of the sampled answers.
    case groundedness, relevance
    case abstentionRate = "abstention_rate"
    case refusalRate = "refusal_rate"
    /// Of the rated answers, the share rated down.
    case thumbsDownShare = "thumbs_down_share"
    case errorRate = "error_rate"
    case latencyP95 = "latency_p95_ms"
    case ttftP95 = "ttft_p95_ms"
    case costPerAnswer = "cost_per_answer_usd"
    /// Mean of each query's best retrieved chunk's similarity.
    case retrievalCoverage = "retrieval_coverage"
    /// The permutation p-value of the query embeddings' MMD against the reference window: small means drift.
    case queryDrift = "query_drift_p_value"

    /// Whether a fall is the bad direction (a monitor on it alerts below its threshold by default).
    public var higherIsBetter: Bool {
        switch self {
        case .groundedness, .relevance, .retrievalCoverage, .queryDrift: true
        case .abstentionRate, .refusalRate, .thumbsDownShare, .errorRate, .latencyP95, .ttftP95, .costPerAnswer: false
        }
    }
}

/// A signal's value over a window and how many samples it rests on (a monitor ignores too few).
public struct SignalValue: Sendable, Hashable, Codable {
    public var value: Double
    public var samples: Int

    public init(value: Double, samples: Int) {
        self.value = value
        self.samples = samples
    }
}

public enum SignalComputation {
    /// The signal over `samples`, or nil when none of them bears on it. Drift is not computed here: it needs
    /// the query vectors (`EmbeddingDrift`).
    public static func value(of signal: QualitySignal, over samples: [QualitySample]) -> SignalValue? {
        switch signal {
        case .groundedness: return mean(samples.compactMap { $0.judgement == .scored ? $0.groundedness : nil })
        case .relevance: return mean(samples.compactMap { $0.judgement == .scored ? $0.relevance : nil })
        case .abstentionRate: return share(answered(samples)) { $0.abstained }
        case .refusalRate: return share(samples) { $0.refused }
        case .thumbsDownShare: return share(samples.filter { $0.thumbsDown != nil }) { $0.thumbsDown == true }
        case .errorRate: return share(samples) { $0.failed }
        case .latencyP95: return percentile95(answered(samples).map(\.latencyMs))
        case .ttftP95: return percentile95(answered(samples).compactMap(\.ttftMs))
        case .costPerAnswer: return mean(answered(samples).compactMap(\.costUSD))
        case .retrievalCoverage: return mean(answered(samples).compactMap(\.coverage))
        case .queryDrift: return nil
        }
    }

    /// Answers that reached the user: errors and refusals would skew timings, cost and abstention.
    static func answered(_ samples: [QualitySample]) -> [QualitySample] {
        samples.filter { !$0.failed && !$0.refused }
    }

    static func mean(_ values: [Double]) -> SignalValue? {
        guard !values.isEmpty else { return nil }
        return SignalValue(value: values.reduce(0, +) / Double(values.count), samples: values.count)
    }

    static func share(_ samples: [QualitySample], where predicate: (QualitySample) -> Bool) -> SignalValue? {
        guard !samples.isEmpty else { return nil }
        return SignalValue(value: Double(samples.count(where: predicate)) / Double(samples.count), samples: samples.count)
    }

    static func percentile95(_ values: [Double]) -> SignalValue? {
        NearestRank.percentile(0.95, of: values).map { SignalValue(value: $0, samples: values.count) }
    }
}
