import PillarCore
import Testing

@testable import PillarEval

private typealias Fixture = EvalComparisonFixture

/// Six items with thumbs, five with ratings, one without a human verdict.
private func judgedItems() -> (items: [EvalItem], results: [EvalResult]) {
    // Thumbs: the judge passes i1, i2, i5 (means 5, 4, 5); people liked i1, i2, i6.
    let thumbs: [(score: [Double], rating: Int)] = [([5, 3], 5), ([4, 4], 5), ([2], 1), ([1], 1), ([5], 1), ([2], 5)]
    // Ratings: the judge's means 1...5 against people's 1, 3, 2, 4, 5.
    let ratings: [(score: Double, rating: Int)] = [(1, 1), (2, 3), (3, 2), (4, 4), (5, 5)]
    var items: [EvalItem] = []
    var results: [EvalResult] = []
    for (index, entry) in thumbs.enumerated() {
        let id = "t\(index + 1)"
        items.append(EvalItem(id: id, question: id, human: .init(rating: entry.rating, thumbs: true)))
        for (repeatIndex, score) in entry.score.enumerated() {
            results.append(Fixture.result("r", id, repeatIndex, ["groundedness": score]))
        }
    }
    for (index, entry) in ratings.enumerated() {
        let id = "s\(index + 1)"
        items.append(EvalItem(id: id, question: id, human: .init(rating: entry.rating, thumbs: false)))
        results.append(Fixture.result("r", id, 0, ["groundedness": entry.score]))
    }
    items.append(EvalItem(id: "n", question: "no verdict"))
    results.append(Fixture.result("r", "n", 0, ["groundedness": 1]))
    results.append(Fixture.result("r", "n", 1, ["groundedness": 1]))
    return (items, results)
}

@Test func judgeAgreementMeasuresKappaSpearmanAndSpread() throws {
    let (items, results) = judgedItems()
    let judge = JudgeAgreement.measure(
        metric: "groundedness", prompt: "judge-groundedness@1", results: results,
        items: items, minimumAgreement: 0.6)
    // Agreement 4/6, chance 0.5 * 0.5 + 0.5 * 0.5: kappa (2/3 - 1/2) / (1/2) = 1/3.
    let kappa = try #require(judge.kappa)
    #expect(abs(kappa - 1.0 / 3) < 1e-12)
    #expect(judge.kappaItems == 6)
    // Rank differences 0, 1, 1, 0, 0: rho = 1 - 6 * 2 / (5 * 24) = 0.9.
    let rho = try #require(judge.spearman)
    #expect(abs(rho - 0.9) < 1e-12)
    #expect(judge.spearmanItems == 5)
    // Items with 2 repeats: t1 (5, 3) SD sqrt(2), t2 (4, 4) 0, n (1, 1) 0.
    let spread = try #require(judge.repeatStandardDeviation)
    #expect(abs(spread - 2.0.squareRoot() / 3) < 1e-12)
    #expect(judge.prompt == "judge-groundedness@1")
    #expect(judge.flagged)
    #expect(JudgeAgreement.describe(judge) == "kappa 0.3333 over 6 items, below the minimum 0.6; Spearman 0.9 over 5 items")
}

@Test func judgeAgreementNeedsEnoughItems() {
    let (items, results) = judgedItems()
    let judge = JudgeAgreement.measure(
        metric: "groundedness", prompt: "j@1", results: results, items: items,
        minimumAgreement: 0.6, minimumItems: 6)
    #expect(judge.kappa != nil)
    #expect(judge.spearman == nil)
    #expect(judge.spearmanItems == 5)
    #expect(judge.flagged)
    let strict = JudgeAgreement.measure(
        metric: "groundedness", prompt: "j@1", results: results, items: items,
        minimumAgreement: 0.6, minimumItems: 7)
    #expect(strict.kappa == nil && strict.spearman == nil)
    #expect(!strict.flagged)
    #expect(JudgeAgreement.describe(strict) == "no agreement measured")
}

@Test func judgeAgreementIsNotFlaggedAboveTheMinimum() {
    let (items, results) = judgedItems()
    let judge = JudgeAgreement.measure(
        metric: "groundedness", prompt: "j@1", results: results, items: items,
        minimumAgreement: 0.3)
    #expect(!judge.flagged)
    let unscored = JudgeAgreement.measure(
        metric: "relevance", prompt: "j@1", results: results, items: items,
        minimumAgreement: 0.3)
    #expect(unscored.kappaItems == 0 && unscored.kappa == nil && unscored.repeatStandardDeviation == nil)
}
