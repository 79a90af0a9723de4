import Foundation
import PillarCore

/// Scores one answer: the deterministic metrics at once, then each judge in turn through the gateway. A judge
/// that answers off its rubric leaves its metric without a value and says why; a judge that cannot be reached
/// is an error the runner handles like any failure of the models.
public struct EvalScoring: Sendable {
    let judging: (any EvalJudging)?

    public init(judging: (any EvalJudging)?) {
        self.judging = judging
    }

    public struct Scored: Sendable {
        public var scores: [String: EvalScore]
        public var judgePrompts: [FlowTrace.ArtifactUse]
        public var usage: Usage
        public var costUSD: Double
    }

    public func score(_ item: EvalItem, _ result: EvalResult, plan: ScoringPlan, run: EvalRunRecord) async throws -> Scored {
        var scores = DeterministicScorers.score(item: item, result: result, metrics: plan.deterministic)
        for (name, score) in plan.custom.score(result) where plan.metrics.contains(where: { $0.name == name }) {
            scores[name] = score
        }
        var used: [FlowTrace.ArtifactUse] = []
        var usage = Usage(promptTokens: 0, completionTokens: 0)
        var cost = 0.0
        // Only an answer can be judged: a refusal or a failure has its own metrics.
        guard result.status == .answered else {
            for judge in plan.judges { scores[judge.metric] = EvalScore(value: nil) }
            return Scored(scores: scores, judgePrompts: used, usage: usage, costUSD: cost)
        }
        for judge in plan.judges {
            guard let judging else {
                scores[judge.metric] = EvalScore(value: nil, error: "no judge model is configured")
                continue
            }
            let reply = try await judging.ask(
                prompt: judge.prompt, variables: Self.variables(item, result),
                model: run.spec.judgeModel, run: run)
            used.append(reply.prompt)
            usage = Usage(
                promptTokens: usage.promptTokens + reply.usage.promptTokens,
                completionTokens: usage.completionTokens + reply.usage.completionTokens)
            cost += reply.costUSD ?? 0
            scores[judge.metric] = JudgeRubric.evalScore(from: reply.text)
        }
        return Scored(scores: scores, judgePrompts: used, usage: usage, costUSD: cost)
    }

    /// What a judge prompt is given: the question, the answer, the passages the answer was given, and the
    /// reference answer (or the expected facts) when the item has one.
    static func variables(_ item: EvalItem, _ result: EvalResult) -> [String: JSONValue] {
        let expected = item.expectedAnswer ?? (item.expectedFacts.isEmpty ? "" : item.expectedFacts.joined(separator: "\n"))
        return [
            "question": .string(item.question), "answer": .string(result.answer),
            "context": .string(result.contextText), "expected": .string(expected),
        ]
    }
}
