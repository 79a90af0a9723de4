/// What a metric's comparison says, in one word a reader (or a gate) can act on: the candidate is better,
/// worse, not significantly different at the 5% level, or the runs share too few items to tell.
public enum ComparisonVerdict: String, Sendable, Hashable, Codable, CaseIterable {
    case better
    case worse
    case noSignificantDifference = "no significant difference"
    case notComparable = "not comparable"

    /// The significance level the verdict is drawn at.
    public static let significanceLevel = 0.05

    /// Better or worse when the permutation test's p is below 0.05, by the metric's direction; not comparable
    /// with fewer than two paired items or no test result.
    public init(_ metric: EvalComparison.MetricComparison) {
        guard metric.pairs >= 2, let p = metric.pValue, p.isFinite, let delta = metric.delta, delta.isFinite else {
            self = .notComparable
            return
        }
        guard p < Self.significanceLevel, delta != 0 else {
            self = .noSignificantDifference
            return
        }
        let candidateIsHigher = delta > 0
        switch metric.direction {
        case .higherIsBetter: self = candidateIsHigher ? .better : .worse
        case .lowerIsBetter: self = candidateIsHigher ? .worse : .better
        }
    }
}
