import PillarCore
import Testing

@testable import PillarEval

@Suite struct DeterministicScorersTests {
    static let all = DeterministicScorers.metricNames
    static let handbook = EvalSource(rank: 1, documentID: "doc-1", sourceURI: "s3://kb/handbook.pdf", title: "Handbook")
    static let travel = EvalSource(rank: 2, documentID: "doc-2", sourceURI: "s3://kb/travel.pdf", title: nil)

    static func result(
        _ answer: String, status: EvalResult.Status = .answered, citations: [EvalSource] = [],
        retrieved: [EvalSource] = [], cost: Double? = 0.002
    ) -> EvalResult {
        EvalResult(
            runID: "r", itemID: "i", repeatIndex: 0, status: status, answer: answer, citations: citations,
            retrieved: retrieved, latencyMs: 812, promptTokens: 300, completionTokens: 45, costUSD: cost, createdAt: 0)
    }

    static let item = EvalItem(
        id: "i", question: "How long do refunds take?", expectedAnswer: "Within 10 days.",
        expectedFacts: ["10 days", "bank transfer"], expectedSources: ["handbook.pdf"])

    @Test func scoresAFullItem() {
        let retrieved = [
            EvalSource(rank: 1, documentID: "doc-2", sourceURI: "s3://kb/travel.pdf", title: nil),
            EvalSource(rank: 2, documentID: "doc-1", sourceURI: "s3://kb/handbook.pdf", title: "Handbook"),
            EvalSource(rank: 3, documentID: "doc-1", sourceURI: "s3://kb/handbook.pdf", title: "Handbook"),
        ]
        let result = Self.result(
            "Refunds arrive within 10 days [1].", citations: [Self.handbook, Self.travel], retrieved: retrieved)
        let scores = DeterministicScorers.score(item: Self.item, result: result, metrics: Self.all)
        #expect(Set(scores.keys) == Self.all)
        #expect(scores["exact_match"]?.value == 0)
        // answer [refunds, arrive, within, 10, days] vs [within, 10, days]: p = 3/5, r = 1, f1 = 0.75.
        #expect(abs((scores["token_f1"]?.value ?? 0) - 0.75) < 1e-12)
        #expect(scores["facts_recall"]?.value == 0.5)
        #expect(scores["citations_precision"]?.value == 0.5)
        #expect(scores["citations_recall"]?.value == 1)
        #expect(scores["citations_matched"]?.value == 1)
        #expect(scores["any_citation"]?.value == 1)
        // Ranking [doc-2, handbook.pdf]: the relevant document is second.
        #expect(scores["hit@5"]?.value == 1)
        #expect(scores["recall@5"]?.value == 1)
        #expect(scores["mrr"]?.value == 0.5)
        #expect(abs((scores["ndcg@5"]?.value ?? 0) - 0.6309297535714575) < 1e-12)
        #expect(scores["abstention_correct"]?.value == 1)
        #expect(scores["refused"]?.value == 0)
        #expect(scores["latency_ms"]?.value == 812)
        #expect(scores["total_tokens"]?.value == 345)
        #expect(scores["cost_usd"]?.value == 0.002)
    }

    @Test func citationMarkersDoNotSpoilExactMatch() {
        let scores = DeterministicScorers.score(
            item: Self.item, result: Self.result("Within 10 days [1][2]."), metrics: ["exact_match"])
        #expect(scores["exact_match"]?.value == 1)
    }

    @Test func returnsOnlyRequestedKnownMetrics() {
        let scores = DeterministicScorers.score(
            item: Self.item, result: Self.result("x"), metrics: ["mrr", "groundedness", "nope"])
        #expect(Set(scores.keys) == ["mrr"])
    }

    @Test func missingInputsMakeMetricsNil() {
        let bare = EvalItem(id: "i", question: "q")
        let scores = DeterministicScorers.score(
            item: bare, result: Self.result("Yes [1].", citations: [Self.handbook]), metrics: Self.all)
        for name in [
            "exact_match", "token_f1", "facts_recall", "citations_precision", "citations_recall",
            "citations_matched", "hit@5", "recall@5", "mrr", "ndcg@5",
        ] {
            #expect(scores[name]?.value == nil, "\(name)")
        }
        #expect(scores["any_citation"]?.value == 1)
        #expect(scores["abstention_correct"]?.value == 1)
        #expect(scores["cost_usd"]?.value == 0.002)
    }

    @Test func unanswerableItemsScoreOnlyAbstention() {
        let item = EvalItem(id: "i", question: "What is the CEO's shoe size?", expectedAnswer: "Unknown", answerable: false)
        let abstaining = DeterministicScorers.score(
            item: item, result: Self.result("The documents available to you do not say."), metrics: Self.all)
        #expect(abstaining["abstention_correct"]?.value == 1)
        for name in [
            "exact_match", "token_f1", "facts_recall", "citations_precision", "citations_recall", "citations_matched",
            "any_citation",
        ] {
            #expect(abstaining[name]?.value == nil, "\(name)")
        }
        let guessing = DeterministicScorers.score(
            item: item, result: Self.result("Size 44 [1]."), metrics: ["abstention_correct"])
        #expect(guessing["abstention_correct"]?.value == 0)
    }

    @Test func abstainingOnAnAnswerableItemIsWrong() {
        let scores = DeterministicScorers.score(
            item: Self.item, result: Self.result("I don't know."), metrics: ["abstention_correct"])
        #expect(scores["abstention_correct"]?.value == 0)
    }

    @Test func refusalCountsAsAbstaining() {
        let item = EvalItem(id: "i", question: "q", answerable: false)
        let scores = DeterministicScorers.score(
            item: item, result: Self.result("Blocked by policy.", status: .refused),
            metrics: ["refused", "abstention_correct"])
        #expect(scores["refused"]?.value == 1)
        #expect(scores["abstention_correct"]?.value == 1)
    }

    @Test func failedResultsKeepOnlyLatencyTokensAndCost() {
        let result = Self.result("", status: .failed, retrieved: [Self.handbook], cost: nil)
        let scores = DeterministicScorers.score(item: Self.item, result: result, metrics: Self.all)
        for (name, score) in scores where !["latency_ms", "total_tokens"].contains(name) {
            #expect(score.value == nil, "\(name)")
        }
        #expect(scores["latency_ms"]?.value == 812)
        #expect(scores["total_tokens"]?.value == 345)
    }

    @Test func abstentionDetectorUsesWholeTokens() {
        #expect(AbstentionDetector.abstains(answer: "There is no information on that.", status: .answered))
        #expect(AbstentionDetector.abstains(answer: "I cannot find it in the documents.", status: .answered))
        #expect(AbstentionDetector.abstains(answer: "It is not mentioned.", status: .answered))
        #expect(AbstentionDetector.abstains(answer: "I'm unable to answer that.", status: .answered))
        #expect(AbstentionDetector.abstains(answer: "[1]", status: .answered))
        #expect(!AbstentionDetector.abstains(answer: "The unknown knowledge base says 10 days.", status: .answered))
        #expect(!AbstentionDetector.abstains(answer: "Refunds take 10 days [1].", status: .answered))
    }
}
