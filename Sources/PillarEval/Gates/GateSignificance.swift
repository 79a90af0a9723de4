/// The p-value clauses of a gate: is the candidate significantly better (and nowhere significantly worse)?
enum GateSignificance {
    /// How a metric moved, by its direction.
    enum Movement {
        case better, worse, unchanged

        init(_ metric: EvalComparison.MetricComparison) {
            guard let delta = metric.delta, delta != 0 else {
                self = .unchanged
                return
            }
            let rose = delta > 0
            self = (rose == (metric.direction == .higherIsBetter)) ? .better : .worse
        }
    }

    /// `p<ALPHA`: better with p < alpha on at least one of `metrics`, significantly worse on none.
    static func overall(
        _ clause: GateRequirement.Clause, metrics: [EvalComparison.MetricComparison],
        alpha: Double
    ) -> GateVerdict.ClauseResult {
        let names = metrics.map(\.name).joined(separator: ", ")
        let required = "< \(DisplayNumber.format(alpha)) on one of \(names), significantly worse on none"
        func result(_ metric: EvalComparison.MetricComparison?, passed: Bool, message: String) -> GateVerdict.ClauseResult {
            GateVerdict.ClauseResult(
                clause: clause.text, position: clause.position, metric: metric?.name,
                value: metric?.pValue, required: required, requiredValue: alpha, passed: passed,
                message: message)
        }
        let tested = metrics.filter { $0.pValue != nil }
        func smallestP(_ movement: Movement) -> EvalComparison.MetricComparison? {
            tested.filter { Movement($0) == movement }.min { ($0.pValue ?? 1) < ($1.pValue ?? 1) }
        }
        func significant(_ movement: Movement) -> EvalComparison.MetricComparison? {
            smallestP(movement).flatMap { ($0.pValue ?? 1) < alpha ? $0 : nil }
        }
        if let worse = significant(.worse) {
            return result(
                worse, passed: false,
                message: "significantly worse on \(describe(worse)); required no significant loss on \(names)")
        }
        if let better = significant(.better) {
            return result(
                better, passed: true,
                message: "significantly better on \(describe(better)), significantly worse on none of \(names)")
        }
        guard !tested.isEmpty else {
            return result(
                nil, passed: false,
                message: "no p-value: no item was scored by both runs on \(names)")
        }
        if let closest = smallestP(.better) {
            return result(
                closest, passed: false,
                message: "not significantly better on any of \(names): the best is \(describe(closest)), "
                    + "p < \(DisplayNumber.format(alpha)) required")
        }
        return result(
            nil, passed: false, message: "better on none of \(names); p < \(DisplayNumber.format(alpha)) required on one")
    }

    /// `p(METRIC)<ALPHA`: better on that metric with p < alpha.
    static func single(
        _ clause: GateRequirement.Clause, metric: EvalComparison.MetricComparison?,
        alpha: Double
    ) -> GateVerdict.ClauseResult {
        let name = metric?.name ?? ""
        let required = "< \(DisplayNumber.format(alpha)), better"
        func result(passed: Bool, message: String) -> GateVerdict.ClauseResult {
            GateVerdict.ClauseResult(
                clause: clause.text, position: clause.position, metric: name, value: metric?.pValue,
                required: required, requiredValue: alpha, passed: passed, message: message)
        }
        guard let metric, let p = metric.pValue else {
            return result(passed: false, message: "\(name) has no p-value: no item was scored by both runs")
        }
        switch Movement(metric) {
        case .better where p < alpha:
            return result(passed: true, message: "\(name) better with \(describe(metric, named: false)) as required")
        case .better:
            return result(
                passed: false,
                message: "\(name) better but \(describe(metric, named: false)); "
                    + "p < \(DisplayNumber.format(alpha)) required")
        case .worse:
            return result(
                passed: false,
                message: "\(name) got worse (\(describe(metric, named: false))); "
                    + "better with p < \(DisplayNumber.format(alpha)) required")
        case .unchanged:
            return result(
                passed: false, message: "\(name) did not change; better with p < \(DisplayNumber.format(alpha)) required")
        }
    }

    /// `groundedness (delta +0.4, p 0.012)`.
    private static func describe(_ metric: EvalComparison.MetricComparison, named: Bool = true) -> String {
        let delta = metric.delta.map { ($0 > 0 ? "+" : "") + DisplayNumber.format($0) } ?? "none"
        let p = metric.pValue.map(DisplayNumber.format) ?? "none"
        return named ? "\(metric.name) (delta \(delta), p \(p))" : "delta \(delta), p \(p)"
    }
}
