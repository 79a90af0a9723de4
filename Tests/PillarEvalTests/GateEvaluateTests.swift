import Foundation
import Testing

@testable import PillarEval

private func metric(
    _ name: String, direction: EvalMetric.Direction = .higherIsBetter, baseline: Double?,
    candidate: Double?, delta: Double? = nil, p: Double? = nil,
    judge: EvalComparison.JudgeReliability? = nil
) -> EvalComparison.MetricComparison {
    EvalComparison.MetricComparison(
        name: name, direction: direction, baselineMean: baseline, candidateMean: candidate,
        delta: delta ?? candidate.flatMap { after in baseline.map { after - $0 } }, intervalLow: nil, intervalHigh: nil,
        pValue: p, pairs: p == nil ? 0 : 20, baselinePassK: nil, candidatePassK: nil, baselineValues: [],
        candidateValues: [], judge: judge)
}

private func comparison(
    _ metrics: [EvalComparison.MetricComparison], candidateStatus: String = "completed",
    candidateDataset: String = "qa@1"
) -> EvalComparison {
    func run(_ id: String, _ status: String, _ dataset: String) -> EvalComparison.RunSummary {
        .init(id: id, flow: "rag@1", prompts: [], dataset: dataset, items: 20, repeats: 1, status: status, costUSD: 0)
    }
    return EvalComparison(
        baseline: run("b", "completed", "qa@1"), candidate: run("c", candidateStatus, candidateDataset),
        items: [], metrics: metrics, regressions: [], warnings: [], bootstrapResamples: 100, seed: 1)
}

private func verdict(_ requirement: String, _ comparison: EvalComparison) throws(GateError) -> GateVerdict {
    try GateRequirement.parse(requirement).evaluate(comparison)
}

@Test func gateChecksAbsoluteThresholds() throws {
    let runs = comparison([
        metric("groundedness", baseline: 3.5, candidate: 3.2),
        metric("latency_ms", direction: .lowerIsBetter, baseline: 900, candidate: 800),
    ])
    let result = try verdict("groundedness>=4.0; latency_ms<1000", runs)
    #expect(!result.passed)
    #expect(result.clauses.map(\.passed) == [false, true])
    #expect(result.clauses[0].message == "groundedness 3.2 < 4.0 required")
    #expect(result.clauses[0].value == 3.2)
    #expect(result.clauses[0].required == ">= 4.0")
    #expect(result.clauses[0].requiredValue == 4)
    #expect(result.clauses[0].metric == "groundedness")
    #expect(result.clauses[1].message == "latency_ms 800.0 < 1000.0 as required")
    #expect(try verdict("groundedness==3.2; groundedness>3.1; groundedness<=3.2", runs).passed)
    #expect(try !verdict("groundedness>3.2", runs).passed)
}

@Test func gateChecksThresholdsRelativeToTheBaseline() throws {
    let runs = comparison([
        metric("citations_recall", baseline: 0.83, candidate: 0.81),
        metric("latency_ms", direction: .lowerIsBetter, baseline: 900, candidate: 1200),
    ])
    // 0.83 - 0.02 is 0.8099999999999999 in floating point; the tolerance admits 0.81.
    let result = try verdict("citations_recall>=baseline-0.02; citations_recall>=baseline; latency_ms<=baseline+250", runs)
    #expect(result.clauses.map(\.passed) == [true, false, false])
    #expect(result.clauses[0].message == "citations_recall 0.81 >= 0.81 as required (baseline 0.83 - 0.02)")
    #expect(result.clauses[1].message == "citations_recall 0.81 < 0.83 required (the baseline's)")
    #expect(result.clauses[2].message == "latency_ms 1200.0 > 1150.0 required (baseline 900.0 + 250.0)")
    #expect(result.clauses[2].requiredValue == 1150)
}

@Test func gateFailsAClauseWithoutAValue() throws {
    let runs = comparison([metric("groundedness", baseline: nil, candidate: 4.5), metric("mrr", baseline: 0.5, candidate: nil)])
    let result = try verdict("groundedness>=baseline; mrr>=0.1", runs)
    #expect(!result.passed)
    #expect(result.clauses[0].message.contains("no value in the baseline run"))
    #expect(result.clauses[1].message.contains("no value in the candidate run"))
    #expect(result.clauses[1].value == nil)
}

@Test func gateSignificanceNeedsOneSignificantGainAndNoSignificantLoss() throws {
    let gain = metric("groundedness", baseline: 3.8, candidate: 4.2, p: 0.01)
    let flat = metric("mrr", baseline: 0.5, candidate: 0.49, p: 0.6)
    let faster = metric("latency_ms", direction: .lowerIsBetter, baseline: 900, candidate: 700, p: 0.001)
    let slower = metric("latency_ms", direction: .lowerIsBetter, baseline: 900, candidate: 1100, p: 0.001)

    let passed = try verdict("groundedness>=0; mrr>=0; p<0.05", comparison([gain, flat]))
    #expect(passed.passed)
    #expect(passed.clauses[2].metric == "groundedness")
    #expect(passed.clauses[2].value == 0.01)
    #expect(
        passed.clauses[2].message
            == "significantly better on groundedness (delta +0.4, p 0.01), significantly worse on none of groundedness, mrr")

    // A lower-is-better metric that fell counts as better.
    #expect(try verdict("mrr>=0; latency_ms>=0; p<0.05", comparison([flat, faster])).passed)

    let lost = try verdict("groundedness>=0; latency_ms>=0; p<0.05", comparison([gain, slower]))
    #expect(!lost.passed)
    #expect(lost.clauses[2].metric == "latency_ms")
    #expect(lost.clauses[2].message.hasPrefix("significantly worse on latency_ms (delta +200.0, p 0.001)"))

    let weak = try verdict("groundedness>=0; mrr>=0; p<0.001", comparison([gain, flat]))
    #expect(!weak.passed)
    #expect(weak.clauses[2].message.contains("not significantly better on any of groundedness, mrr: the best is groundedness"))

    // p<ALPHA tests only the metrics the other clauses name: the loss on latency_ms is not one of them.
    #expect(try verdict("groundedness>=0; p<0.05", comparison([gain, slower])).passed)

    let untested = try verdict("groundedness>=0; p<0.05", comparison([metric("groundedness", baseline: 1, candidate: 2)]))
    #expect(!untested.passed)
    #expect(untested.clauses[1].message == "no p-value: no item was scored by both runs on groundedness")
}

@Test func gateSignificanceOnANamedMetric() throws {
    let runs = comparison([
        metric("groundedness", baseline: 3.8, candidate: 4.2, p: 0.01),
        metric("mrr", baseline: 0.6, candidate: 0.5, p: 0.02),
        metric("ndcg@5", baseline: 0.6, candidate: 0.6, p: 1),
        metric("hit@5", baseline: nil, candidate: 0.6),
    ])
    let result = try verdict("p(groundedness)<0.05; p(groundedness)<0.005; p(mrr)<0.05; p(ndcg@5)<0.05; p(hit@5)<0.05", runs)
    #expect(result.clauses.map(\.passed) == [true, false, false, false, false])
    #expect(result.clauses[0].message == "groundedness better with delta +0.4, p 0.01 as required")
    #expect(result.clauses[1].message == "groundedness better but delta +0.4, p 0.01; p < 0.005 required")
    #expect(result.clauses[2].message.hasPrefix("mrr got worse (delta -0.1"))
    #expect(result.clauses[3].message.hasPrefix("ndcg@5 did not change"))
    #expect(result.clauses[4].message == "hit@5 has no p-value: no item was scored by both runs")
}

@Test func gateRejectsUnknownMetrics() {
    let runs = comparison([metric("groundedness", baseline: 1, candidate: 2), metric("mrr", baseline: 1, candidate: 2)])
    do {
        _ = try verdict("groundedness>=1; p(recall@5)<0.05", runs)
        Issue.record("expected unknown_metric")
    } catch {
        #expect(error.code == "unknown_metric")
        #expect(error.position == 2)
        #expect(error.message.contains("`recall@5`"))
        #expect(error.message.hasSuffix("it has: groundedness, mrr"))
    }
}

@Test func gateWarnsAboutFlaggedJudgesItReliesOnAndUnfinishedRuns() throws {
    let flagged = EvalComparison.JudgeReliability(
        prompt: "judge-groundedness@1", kappa: 0.2, kappaItems: 10,
        spearman: nil, spearmanItems: 0, repeatStandardDeviation: nil,
        minimumAgreement: 0.6, flagged: true)
    let runs = comparison(
        [
            metric("groundedness", baseline: 3, candidate: 4, p: 0.01, judge: flagged),
            metric("relevance", baseline: 3, candidate: 4, p: 0.01, judge: flagged),
            metric("mrr", baseline: 0.4, candidate: 0.5, p: 0.01),
        ],
        candidateStatus: "budget_exhausted", candidateDataset: "qa@2")
    let result = try verdict("groundedness>=4; mrr>=0.5; p<0.05", runs)
    #expect(result.clauses.allSatisfy { $0.passed })
    #expect(!result.passed, "an unfinished run never lets a version through")
    #expect(result.warnings.count == 3)
    #expect(
        result.warnings[0] == "groundedness is scored by the judge judge-groundedness@1, which agrees poorly with "
            + "people (kappa 0.2 over 10 items, below the minimum 0.6); clauses 1, 3 rely on it.")
    #expect(result.warnings[1].contains("candidate run c is budget_exhausted"))
    #expect(result.warnings[2].contains("different datasets"))
    // relevance has a flagged judge but no clause relies on it.
    #expect(!result.warnings.contains { $0.hasPrefix("relevance") })
}

@Test func gateVerdictSummaryAndJSON() throws {
    let runs = comparison(
        [
            metric("groundedness", baseline: 3.5, candidate: 3.2),
            metric("mrr", baseline: 0.5, candidate: 0.6),
        ], candidateStatus: "interrupted")
    let result = try verdict("groundedness>=4.0; mrr>=baseline", runs)
    #expect(
        result.summary == """
            Gate failed: 1 of 2 clauses did not hold.
              FAIL  groundedness>=4.0: groundedness 3.2 < 4.0 required
              pass  mrr>=baseline: mrr 0.6 >= 0.5 as required (the baseline's)
            Warnings:
              - The candidate run c is interrupted, not completed: its numbers may not cover the whole dataset, so the gate cannot pass.
            """)
    let unfinished = try verdict("mrr>=baseline", runs)
    #expect(unfinished.summary.hasPrefix("Gate failed: every clause held, but a run did not complete"))
    let passing = try verdict("mrr>=baseline", comparison([metric("mrr", baseline: 0.5, candidate: 0.6)]))
    #expect(passing.summary.hasPrefix("Gate passed: all 1 clause held."))
    let encoded = try JSONEncoder().encode(result)
    let decoded = try JSONDecoder().decode(GateVerdict.self, from: encoded)
    #expect(decoded == result)
    #expect(String(decoding: encoded, as: UTF8.self).contains("\"required_value\""))
}
