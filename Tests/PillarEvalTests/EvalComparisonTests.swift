import PillarCore
import Testing

@testable import PillarEval

private typealias Fixture = EvalComparisonFixture

private let longQuestion = String(repeating: "why ", count: 75)
private let items = [
    EvalItem(id: "i1", question: longQuestion), EvalItem(id: "i2", question: "two"),
    EvalItem(id: "i3", question: "three"), EvalItem(id: "i4", question: "four"),
]

private let baselineResults = [
    Fixture.result("b", "i1", 0, ["groundedness": 5, "latency_ms": 100]),
    Fixture.result("b", "i1", 1, ["groundedness": 3, "latency_ms": 100]),
    Fixture.result("b", "i2", 0, ["groundedness": 4, "latency_ms": 200]),
    Fixture.result("b", "i2", 1, ["groundedness": 4, "latency_ms": 200]),
    Fixture.result("b", "i3", 0, ["groundedness": 2, "latency_ms": 300]),
    Fixture.result("b", "i3", 1, ["groundedness": nil, "latency_ms": 300]),
]
private let candidateResults = [
    Fixture.result("c", "i1", 0, ["groundedness": 3, "latency_ms": 150]),
    Fixture.result("c", "i1", 1, ["groundedness": 3, "latency_ms": 150]),
    Fixture.result("c", "i2", 0, ["groundedness": 5, "latency_ms": 100]),
    Fixture.result("c", "i2", 1, ["groundedness": 5, "latency_ms": 100]),
    Fixture.result("c", "i3", 0, ["groundedness": 4, "latency_ms": 300]),
    Fixture.result("c", "i3", 1, ["groundedness": 2, "latency_ms": 300]),
    Fixture.result("c", "i4", 0, ["groundedness": 5, "latency_ms": 50]),
]
private let flaggedJudge = EvalComparison.JudgeReliability(
    prompt: "judge-groundedness@1", kappa: 0.31, kappaItems: 12, spearman: nil, spearmanItems: 2,
    repeatStandardDeviation: 0.4, minimumAgreement: 0.6, flagged: true)

private func makeComparison() -> EvalComparison {
    EvalComparison.make(
        baseline: Fixture.run(id: "b", prompts: ["rag-answer@2", "judge-groundedness@1", "rag-answer@2"]),
        baselineResults: baselineResults,
        candidate: Fixture.run(id: "c", version: 2, status: .interrupted, prompts: ["rag-answer@3"]),
        candidateResults: candidateResults, items: items, metrics: [Fixture.groundedness, Fixture.latency],
        judges: ["groundedness": flaggedJudge], resamples: 2000, seed: 11)
}

@Test func comparisonAveragesRepeatsAndPairsItems() throws {
    let comparison = makeComparison()
    #expect(comparison.items == ["i1", "i2", "i3", "i4"])
    let groundedness = try #require(comparison.metric("groundedness"))
    // Per item, the mean over repeats; i3's nil score in the baseline is left out.
    #expect(groundedness.baselineValues == [4, 4, 2, nil])
    #expect(groundedness.candidateValues == [3, 5, 3, 5])
    #expect(groundedness.baselineMean == 10.0 / 3)
    #expect(groundedness.candidateMean == 4)
    // Pairs i1..i3: differences -1, +1, +1.
    #expect(groundedness.pairs == 3)
    #expect(groundedness.delta == 1.0 / 3)
    // Every sign pattern of three equal magnitudes is at least |1| from 0.
    #expect(groundedness.pValue == 1)
    let interval = try #require(PairedBootstrap.interval(differences: [-1, 1, 1], resamples: 2000, seed: 11))
    #expect(groundedness.intervalLow == interval.low)
    #expect(groundedness.intervalHigh == interval.high)
    #expect(groundedness.judge == flaggedJudge)
}

@Test func comparisonComputesPassHatKOverRepeats() throws {
    let comparison = makeComparison()
    let groundedness = try #require(comparison.metric("groundedness"))
    // k = 2. Baseline: i1 passes once of 2 (0), i2 twice (1), i3 has 1 value (left out): 0.5.
    #expect(groundedness.baselinePassK == 0.5)
    // Candidate: i1 0, i2 1, i3 passes once of 2 (0), i4 has 1 value: 1/3.
    #expect(groundedness.candidatePassK == 1.0 / 3)
    let latency = try #require(comparison.metric("latency_ms"))
    #expect(latency.baselinePassK == nil)
    #expect(latency.candidatePassK == nil)
    #expect(latency.delta == -50.0 / 3)
}

@Test func comparisonListsRegressionsWorstFirst() {
    let comparison = makeComparison()
    // latency i1 100 -> 150 is 1/3 worse relative to 150; groundedness i1 4 -> 3 is 1/4 worse.
    #expect(comparison.regressions.map(\.metric) == ["latency_ms", "groundedness"])
    #expect(comparison.regressions.map(\.itemID) == ["i1", "i1"])
    #expect(comparison.regressions[1].baseline == 4)
    #expect(comparison.regressions[1].candidate == 3)
    let question = comparison.regressions[0].question
    #expect(question.count == 200)
    #expect(question.hasSuffix("…"))
    #expect(longQuestion.hasPrefix(question.dropLast()))
}

@Test func comparisonSummarisesTheRuns() {
    let comparison = makeComparison()
    #expect(
        comparison.baseline
            == EvalComparison.RunSummary(
                id: "b", flow: "rag@3", prompts: ["rag-answer@2", "judge-groundedness@1"], dataset: "qa@1", items: 3,
                repeats: 2, status: "completed", costUSD: 0.25))
    #expect(comparison.candidate.dataset == "qa@2")
    #expect(comparison.candidate.items == 4)
    #expect(comparison.candidate.status == "interrupted")
    #expect(comparison.bootstrapResamples == 2000)
    #expect(comparison.seed == 11)
}

@Test func comparisonWarnsAboutWhatUndermines() {
    let warnings = makeComparison().warnings
    #expect(warnings.count == 4)
    #expect(warnings.contains { $0.contains("different datasets") && $0.contains("qa@1") && $0.contains("qa@2") })
    #expect(warnings.contains { $0.contains("candidate run c is interrupted") && $0.contains("6 of 8") })
    #expect(warnings.contains { $0.contains("1 item was answered by one run only") && $0.contains("only the candidate: i4") })
    #expect(
        warnings.contains {
            $0.contains("judge-groundedness@1") && $0.contains("kappa 0.31 over 12 items")
                && $0.contains("below the minimum 0.6")
        })
}

@Test func comparisonOfIdenticalFinishedRunsHasNoWarningsOrRegressions() throws {
    let comparison = EvalComparison.make(
        baseline: Fixture.run(id: "b"), baselineResults: baselineResults,
        candidate: Fixture.run(id: "c"), candidateResults: baselineResults,
        items: items, metrics: [Fixture.groundedness], resamples: 500)
    // i4 is in the dataset but neither run answered it: that is no one-sided item.
    #expect(comparison.warnings.isEmpty)
    #expect(comparison.regressions.isEmpty)
    let groundedness = try #require(comparison.metric("groundedness"))
    #expect(groundedness.delta == 0)
    #expect(groundedness.pValue == 1)
    #expect(groundedness.intervalLow == 0 && groundedness.intervalHigh == 0)
    #expect(comparison.seed == 20_261_204)
}

@Test func comparisonCapsRegressions() {
    let many = (0..<150).map { EvalItem(id: "q\($0)", question: "question \($0)") }
    let before = many.map { Fixture.result("b", $0.id, 0, ["groundedness": 5]) }
    let after = many.enumerated().map { index, item in
        Fixture.result("c", item.id, 0, ["groundedness": index == 120 ? 1 : 4])
    }
    let comparison = EvalComparison.make(
        baseline: Fixture.run(id: "b", repeats: 1), baselineResults: before,
        candidate: Fixture.run(id: "c", repeats: 1), candidateResults: after,
        items: many, metrics: [Fixture.groundedness], resamples: 200)
    #expect(comparison.regressions.count == EvalComparison.regressionLimit)
    #expect(comparison.regressions.first?.itemID == "q120")
    // Equal drops keep item order.
    #expect(comparison.regressions.dropFirst().prefix(2).map(\.itemID) == ["q0", "q1"])
}

@Test func comparisonWithoutScoresIsNilNotNaN() throws {
    let comparison = EvalComparison.make(
        baseline: Fixture.run(id: "b"), baselineResults: [],
        candidate: Fixture.run(id: "c"), candidateResults: [Fixture.result("c", "i1", 0, ["groundedness": .nan])],
        items: items, metrics: [Fixture.groundedness], resamples: 100)
    let groundedness = try #require(comparison.metric("groundedness"))
    #expect(groundedness.baselineMean == nil && groundedness.candidateMean == nil)
    #expect(groundedness.delta == nil && groundedness.pValue == nil && groundedness.intervalLow == nil)
    #expect(groundedness.pairs == 0)
    #expect(groundedness.candidateValues == [nil, nil, nil, nil])
}
