import Foundation
import PillarCore
import Testing

@testable import PillarEval

@Suite struct RetrievalMetricsTests {
    @Test func handComputedValues() {
        let ranked = ["d3", "d1", "d7", "d9", "d4", "d5"]
        let relevant: Set<String> = ["d1", "d9", "d8"]
        #expect(RetrievalMetrics.hit(ranked: ranked, relevant: relevant, k: 5) == 1)
        #expect(RetrievalMetrics.hit(ranked: ranked, relevant: relevant, k: 1) == 0)
        #expect(RetrievalMetrics.recall(ranked: ranked, relevant: relevant, k: 5) == 2.0 / 3.0)
        #expect(RetrievalMetrics.reciprocalRank(ranked: ranked, relevant: relevant) == 0.5)
        #expect(RetrievalMetrics.reciprocalRank(ranked: ranked, relevant: relevant, k: 1) == 0)
        // DCG@5 = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3) + 1/log2(4).
        let dcg = 1 / log2(3.0) + 1 / log2(5.0)
        let ideal = 1 + 1 / log2(3.0) + 0.5
        #expect(abs(RetrievalMetrics.ndcg(ranked: ranked, relevant: relevant, k: 5) - dcg / ideal) < 1e-12)
        // With k = 1 the ideal is one relevant document at rank 1.
        #expect(RetrievalMetrics.ndcg(ranked: ["d1"], relevant: relevant, k: 1) == 1)
    }

    @Test func idealDCGIsNotLimitedByTheRunsLength() {
        // One retrieved, relevant; two relevant exist: DCG 1, ideal 1 + 1/log2(3).
        let value = RetrievalMetrics.ndcg(ranked: ["a"], relevant: ["a", "b"], k: 5)
        #expect(abs(value - 1 / (1 + 1 / log2(3.0))) < 1e-12)
    }

    @Test func nothingRelevantScoresZero() {
        #expect(RetrievalMetrics.recall(ranked: ["a"], relevant: [], k: 5) == 0)
        #expect(RetrievalMetrics.ndcg(ranked: ["a"], relevant: [], k: 5) == 0)
        #expect(RetrievalMetrics.hit(ranked: [], relevant: ["a"], k: 5) == 0)
    }

    @Test func repeatedKeysCountWhereTheyFirstRank() {
        // Without dedupe, d1 twice would push d2 out of the top 3.
        let ranked = ["d1", "d1", "d1", "d2"]
        #expect(RetrievalMetrics.recall(ranked: ranked, relevant: ["d1", "d2"], k: 3) == 1)
        #expect(RetrievalMetrics.cut(ranked, 3) == ["d1", "d2"])
    }

    @Test func rankingMapsChunksToExpectedSourcesThenDocumentIDs() {
        let chunks = [
            EvalSource(rank: 1, documentID: "doc-9", sourceURI: "s3://kb/other.txt", title: nil),
            EvalSource(rank: 2, documentID: "doc-1", sourceURI: "s3://kb/handbook.pdf", title: "Handbook"),
            EvalSource(rank: 3, documentID: "doc-1", sourceURI: "s3://kb/handbook.pdf", title: "Handbook"),
            EvalSource(rank: 4, documentID: "doc-9", sourceURI: "s3://kb/other.txt", title: nil),
            EvalSource(rank: 5, documentID: "doc-2", sourceURI: "s3://kb/travel.pdf", title: nil),
        ]
        #expect(
            RetrievalMetrics.ranking(of: chunks, expected: ["handbook.pdf", "Travel.pdf", "handbook.PDF"])
                == ["doc-9", "handbook.pdf", "Travel.pdf"])
    }
}
