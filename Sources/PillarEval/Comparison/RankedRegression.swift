import PillarCore

/// An item that got worse on a metric, with how much worse on a scale that metrics of different units
/// (0-1 recall, 1-5 judge scores, milliseconds) share: the change relative to the larger of the two values.
struct RankedRegression: Sendable {
    var regression: EvalComparison.Regression
    /// |candidate - baseline| / max(|baseline|, |candidate|), in (0, 1] for values of one sign.
    var severity: Double

    /// Nil unless the candidate is worse by the metric's direction.
    init?(itemID: String, question: String, metric: EvalMetric, baseline: Double, candidate: Double) {
        let worse =
            switch metric.direction {
            case .higherIsBetter: candidate < baseline
            case .lowerIsBetter: candidate > baseline
            }
        guard worse else { return nil }
        let scale = max(abs(baseline), abs(candidate))
        severity = scale > 0 ? abs(candidate - baseline) / scale : 0
        regression = EvalComparison.Regression(
            itemID: itemID, question: Self.quote(question), metric: metric.name,
            baseline: baseline, candidate: candidate)
    }

    /// Worst first; equal severities keep the order they were found in (metric order, then item order).
    static func worstFirst(_ ranked: [RankedRegression], limit: Int) -> [EvalComparison.Regression] {
        ranked.enumerated()
            .sorted {
                $0.element.severity != $1.element.severity
                    ? $0.element.severity > $1.element.severity
                    : $0.offset < $1.offset
            }
            .prefix(limit)
            .map(\.element.regression)
    }

    private static func quote(_ question: String) -> String {
        let limit = EvalComparison.questionLimit
        guard question.count > limit else { return question }
        return String(question.prefix(limit - 1)) + "…"
    }
}
