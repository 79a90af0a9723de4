import Foundation
import PillarCore

/// What a run scores, decided once when it starts: the deterministic metrics, the judges with the prompt each
/// uses, and the tenant's custom scorers. Unknown metric names are refused here, before anything is asked.
public struct ScoringPlan: Sendable {
    public struct Judge: Sendable, Hashable {
        /// The metric it scores: `groundedness`, or a custom judge scorer's name.
        public var metric: String
        /// A prompt reference in the tenant's library: `judge-groundedness`, `judge-politeness@2`.
        public var prompt: String
    }

    public var deterministic: Set<String>
    public var judges: [Judge]
    public var custom: CustomScorerSet
    /// Every metric scored, in report order.
    public var metrics: [EvalMetric]

    /// The built-in judge metrics and the shipped prompt each one uses.
    public static let builtInJudgePrompts: [String: String] = [
        "groundedness": "judge-groundedness", "relevance": "judge-relevance",
        "coherence": "judge-coherence", "correctness": "judge-correctness",
    ]

    public static var defaultMetricNames: [String] { EvalMetric.builtIn.map(\.name) }

    public static func make(_ spec: EvalRunSpec) throws(PillarError) -> ScoringPlan {
        var custom = CustomScorerSet(scorers: [])
        if let yaml = spec.scorers, !yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do {
                custom = try CustomScorerSet(yaml: yaml)
            } catch {
                throw PillarError.invalidRequest(
                    "The custom scorers are not valid: \(error)", param: "scorers", code: "invalid_scorers")
            }
        }
        let requested = spec.metrics.isEmpty ? defaultMetricNames + custom.metrics.map(\.name) : spec.metrics
        var plan = ScoringPlan(deterministic: [], judges: [], custom: custom, metrics: [])
        var seen = Set<String>()
        for name in requested where seen.insert(name).inserted {
            if let metric = EvalMetric.builtIn(named: name) {
                plan.metrics.append(metric)
                if metric.kind == .judge, let prompt = builtInJudgePrompts[name] {
                    plan.judges.append(Judge(metric: name, prompt: prompt))
                } else {
                    plan.deterministic.insert(name)
                }
            } else if let metric = custom.metrics.first(where: { $0.name == name }) {
                plan.metrics.append(metric)
                if let judge = custom.judges.first(where: { $0.metric == name }) {
                    plan.judges.append(Judge(metric: name, prompt: judge.prompt))
                }
            } else {
                let known = (defaultMetricNames + custom.metrics.map(\.name)).joined(separator: ", ")
                throw PillarError.invalidRequest(
                    "There is no metric named '\(name)'. Known metrics: \(known).",
                    param: "metrics", code: "unknown_metric")
            }
        }
        return plan
    }
}
