import Testing

@testable import PillarEval

@Suite struct AnswerMetricsTests {
    @Test func exactMatchIgnoresCaseArticlesAndPunctuation() {
        #expect(AnswerMetrics.exactMatch(answer: "The Eiffel Tower.", expected: "eiffel tower") == 1)
        #expect(AnswerMetrics.exactMatch(answer: "Eiffel Tower in Paris", expected: "Eiffel Tower") == 0)
    }

    @Test func tokenF1IsSQuADs() {
        // answer: [paris, is, capital] expected: [paris]; shared 1: p = 1/3, r = 1, f1 = 0.5.
        #expect(AnswerMetrics.tokenF1(answer: "Paris is the capital", expected: "Paris") == 0.5)
        // Multiset overlap: answer [x, x, y] vs expected [x, y, y]: shared x once and y once = 2; p = r = 2/3.
        #expect(abs(AnswerMetrics.tokenF1(answer: "x x y", expected: "x y y") - 2.0 / 3.0) < 1e-12)
        #expect(AnswerMetrics.tokenF1(answer: "cat", expected: "dog") == 0)
        #expect(AnswerMetrics.tokenF1(answer: "the", expected: "a") == 1)
        #expect(AnswerMetrics.tokenF1(answer: "", expected: "dog") == 0)
    }

    @Test func factsRecallMatchesWholeTokens() {
        let answer = "Refunds are paid within 10 days, by bank transfer."
        #expect(AnswerMetrics.factsRecall(answer: answer, facts: ["10 days", "bank transfer", "cash"]) == 2.0 / 3.0)
        #expect(AnswerMetrics.factsRecall(answer: "It takes 110 days", facts: ["10 days"]) == 0)
        #expect(AnswerMetrics.factsRecall(answer: "transfers happen", facts: ["transfer"]) == 0)
        #expect(AnswerMetrics.factsRecall(answer: answer, facts: ["The 10 DAYS!"]) == 1)
        #expect(AnswerMetrics.factsRecall(answer: answer, facts: ["the", " "]) == nil)
        #expect(AnswerMetrics.factsRecall(answer: answer, facts: []) == nil)
    }
}
