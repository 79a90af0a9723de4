import Foundation
import PillarCore

/// Scores one answer on the deterministic metrics of `EvalMetric.builtIn`.
///
/// A metric is nil when its inputs are missing: exact match and token F1 need an expected answer, facts
/// recall expected facts; citation precision, recall and `citations_matched`, and the retrieval metrics,
/// need expected sources. Answer content and citation metrics do not apply to unanswerable items (only
/// `abstention_correct` judges those). A failed result has no answer: every metric but latency, tokens and
/// cost is nil.
public enum DeterministicScorers {
    /// How many retrieved documents the `@5` metrics look at.
    public static let retrievalCutoff = 5

    /// The names of the metrics `score` computes.
    public static let metricNames: Set<String> = Set(EvalMetric.builtIn.filter { $0.kind == .deterministic }.map(\.name))

    /// The requested metrics this scorer knows, by name; names it does not know are left out.
    public static func score(item: EvalItem, result: EvalResult, metrics: Set<String>) -> [String: EvalScore] {
        var scores: [String: EvalScore] = [:]
        let answered = result.status != .failed
        let answerable = item.answerable && answered
        let answer = AnswerText.removingCitationMarkers(result.answer)
        let expectedAnswer = item.expectedAnswer.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        let sources = CitationMetrics.distinctSources(item.expectedSources)
        let hasSources = !sources.isEmpty
        let ranking = RetrievalMetrics.ranking(of: result.retrieved, expected: sources)
        let relevant = Set(sources)

        for name in metrics where metricNames.contains(name) {
            let value: Double?
            switch name {
            case "exact_match":
                value = answerable ? expectedAnswer.map { AnswerMetrics.exactMatch(answer: answer, expected: $0) } : nil
            case "token_f1":
                value = answerable ? expectedAnswer.map { AnswerMetrics.tokenF1(answer: answer, expected: $0) } : nil
            case "facts_recall":
                value = answerable ? AnswerMetrics.factsRecall(answer: answer, facts: item.expectedFacts) : nil
            case "citations_precision":
                value = answerable && hasSources ? CitationMetrics.precision(citations: result.citations, expected: sources) : nil
            case "citations_recall":
                value = answerable ? CitationMetrics.recall(citations: result.citations, expected: sources) : nil
            case "citations_matched":
                value =
                    answerable
                    ? CitationMetrics.citationsMatched(answer: result.answer, citations: result.citations, expected: sources)
                    : nil
            case "any_citation":
                value = answerable ? CitationMetrics.anyCitation(answer: result.answer, citations: result.citations) : nil
            case "hit@5":
                value =
                    answered && hasSources ? RetrievalMetrics.hit(ranked: ranking, relevant: relevant, k: retrievalCutoff) : nil
            case "recall@5":
                value =
                    answered && hasSources
                    ? RetrievalMetrics.recall(ranked: ranking, relevant: relevant, k: retrievalCutoff) : nil
            case "mrr":
                value = answered && hasSources ? RetrievalMetrics.reciprocalRank(ranked: ranking, relevant: relevant) : nil
            case "ndcg@5":
                value =
                    answered && hasSources ? RetrievalMetrics.ndcg(ranked: ranking, relevant: relevant, k: retrievalCutoff) : nil
            case "abstention_correct":
                value =
                    answered
                    ? (AbstentionDetector.abstains(answer: result.answer, status: result.status) == !item.answerable ? 1 : 0)
                    : nil
            case "refused":
                value = answered ? (result.status == .refused ? 1 : 0) : nil
            case "latency_ms":
                value = result.latencyMs
            case "total_tokens":
                value = Double(result.promptTokens + result.completionTokens)
            case "cost_usd":
                value = result.costUSD
            default:
                continue
            }
            scores[name] = EvalScore(value: value)
        }
        return scores
    }
}
