import Foundation
import PillarCore

/// A tenant's scorers, declared in YAML (see `CustomScorerSet.init(yaml:)`): checks of the answer's text,
/// each scoring 0 or 1, and judge prompts that the runner asks and reads with `JudgeRubric`.
public struct CustomScorerSet: Sendable, Hashable {
    public var scorers: [CustomScorer]

    public init(scorers: [CustomScorer]) {
        self.scorers = scorers
    }

    /// Every scorer's metric, in the order declared.
    public var metrics: [EvalMetric] { scorers.map(\.metric) }

    /// The judge scorers, for the runner to ask.
    public var judges: [CustomJudge] {
        scorers.compactMap { if case .judge(let judge) = $0.check { judge } else { nil } }
    }

    /// The scores of the deterministic scorers on one result; nil values for a failed result, which has no
    /// answer. Judge scorers are not in it.
    public func score(_ result: EvalResult) -> [String: EvalScore] {
        var scores: [String: EvalScore] = [:]
        for scorer in scorers {
            guard case .score(let score) = scorer.evaluate(answer: result.answer) else { continue }
            scores[scorer.name] = result.status == .failed ? EvalScore(value: nil) : score
        }
        return scores
    }
}

/// One declared scorer: its name (the metric it yields) and what it checks.
public struct CustomScorer: Sendable, Hashable {
    public enum Check: Sendable, Hashable {
        /// The answer contains the text.
        case contains(String, ignoreCase: Bool)
        /// The answer does not contain the text.
        case notContains(String, ignoreCase: Bool)
        /// The pattern matches somewhere in the answer.
        case regex(ScorerPattern)
        /// The answer is JSON that conforms to the schema.
        case jsonSchema(JSONSchemaSubset)
        /// A judge prompt grades the answer 1-5.
        case judge(CustomJudge)
    }

    public var name: String
    public var check: Check
    public var summary: String?

    public init(name: String, check: Check, summary: String? = nil) {
        self.name = name
        self.check = check
        self.summary = summary
    }

    /// The metric this scorer yields: custom, higher is better, passing at 1 for checks and at the judge's
    /// threshold for judges.
    public var metric: EvalMetric {
        switch check {
        case .judge(let judge):
            return EvalMetric(
                name: name, passThreshold: judge.passThreshold, kind: .custom,
                summary: summary ?? "Judge, 1-5, with the prompt \(judge.prompt).")
        default:
            return EvalMetric(name: name, passThreshold: 1, kind: .custom, summary: summary ?? defaultSummary)
        }
    }

    var defaultSummary: String {
        switch check {
        case .contains(let text, _): return "1 when the answer contains \"\(text.prefix(80))\"."
        case .notContains(let text, _): return "1 when the answer does not contain \"\(text.prefix(80))\"."
        case .regex(let pattern): return "1 when the answer matches /\(pattern.source.prefix(80))/."
        case .jsonSchema: return "1 when the answer is JSON that conforms to the schema."
        case .judge(let judge): return "Judge, 1-5, with the prompt \(judge.prompt)."
        }
    }

    /// The check's score on `answer` (with its citation markers), or the judge to ask.
    public func evaluate(answer: String) -> CustomScorerOutcome {
        switch check {
        case .contains(let text, let ignoreCase):
            return .score(
                Self.contains(answer, text, ignoreCase)
                    ? EvalScore(value: 1) : EvalScore(value: 0, reason: "The answer does not contain \"\(text.prefix(80))\"."))
        case .notContains(let text, let ignoreCase):
            return .score(
                Self.contains(answer, text, ignoreCase)
                    ? EvalScore(value: 0, reason: "The answer contains \"\(text.prefix(80))\".") : EvalScore(value: 1))
        case .regex(let pattern):
            return .score(
                pattern.matches(answer)
                    ? EvalScore(value: 1)
                    : EvalScore(value: 0, reason: "The answer does not match /\(pattern.source.prefix(80))/."))
        case .jsonSchema(let schema):
            switch ScorerJSON.parse(answer.trimmingCharacters(in: .whitespacesAndNewlines)) {
            case .failure(let failure):
                return .score(EvalScore(value: 0, reason: "The answer cannot be checked: \(failure.reason)."))
            case .success(let value):
                if let problem = schema.violation(of: value) {
                    return .score(EvalScore(value: 0, reason: "The answer does not conform to the schema: \(problem)."))
                }
                return .score(EvalScore(value: 1))
            }
        case .judge(let judge):
            return .judge(judge)
        }
    }

    static func contains(_ answer: String, _ text: String, _ ignoreCase: Bool) -> Bool {
        answer.range(of: text, options: ignoreCase ? [.caseInsensitive] : []) != nil
    }
}

/// What a custom scorer gives for one answer: a score, or a judge for the runner to ask.
public enum CustomScorerOutcome: Sendable, Hashable {
    case score(EvalScore)
    case judge(CustomJudge)
}

/// A judge scorer as the runner executes it: render `prompt` (a library reference, `judge-politeness@1`)
/// with the question, answer, context and expected answer, ask the judge model, read the reply with
/// `JudgeRubric.parse`, and record the score under `metric`; it passes at `passThreshold` or more.
public struct CustomJudge: Sendable, Hashable {
    public var metric: String
    public var prompt: String
    public var passThreshold: Double

    public init(metric: String, prompt: String, passThreshold: Double = CustomJudge.defaultPassThreshold) {
        self.metric = metric
        self.prompt = prompt
        self.passThreshold = passThreshold
    }

    public static let defaultPassThreshold = 4.0
}
