import Foundation
import PillarCore
import XCTest

@testable import PillarMonitoring

final class CanaryAnalysisStateTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 2_000_000)
    let spec = CanaryAnalysisSpec(
        steps: [10, 50], intervalSeconds: 60, minimumSamples: 5, failureLimit: 2,
        checks: [
            CanaryCheck(signal: .groundedness, tolerance: 0.1),
            CanaryCheck(signal: .errorRate, tolerance: 0.05),
        ])

    func answers(_ count: Int, groundedness: Double, failed: Int = 0) -> [QualitySample] {
        (0..<count).map { index in
            QualitySample(
                traceID: "t\(index)", tenant: "acme", createdAt: 0, flow: "rag", flowVersion: 1, label: "production",
                failed: index < failed, latencyMs: 10, judgement: index < failed ? .notSampled : .scored,
                groundedness: index < failed ? nil : groundedness)
        }
    }

    func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    func testGoodCandidateAdvancesThenPromotes() throws {
        var state = CanaryAnalysisState.started(spec: spec, at: start)
        XCTAssertEqual(state.weight, 10)
        var (next, decision) = state.ticked(
            spec: spec, now: at(30), stable: answers(20, groundedness: 0.9),
            candidate: answers(20, groundedness: 0.88), judgeAvailable: true)
        XCTAssertNil(decision, "nothing is decided before the interval")
        (next, decision) = state.ticked(
            spec: spec, now: at(60), stable: answers(20, groundedness: 0.9),
            candidate: answers(20, groundedness: 0.88), judgeAvailable: true)
        XCTAssertEqual(decision?.action, .advance)
        XCTAssertEqual(next.weight, 50)
        XCTAssertEqual(decision?.fromWeight, 10)
        XCTAssertEqual(decision?.toWeight, 50)
        XCTAssertEqual(decision?.evidence.count, 2)
        state = next
        (next, decision) = state.ticked(
            spec: spec, now: at(120), stable: answers(20, groundedness: 0.9),
            candidate: answers(20, groundedness: 0.95), judgeAvailable: true)
        XCTAssertEqual(decision?.action, .promote)
        XCTAssertEqual(next.status, .promoted)
        XCTAssertEqual(next.weight, 100)
        XCTAssertFalse(next.isActive)
        XCTAssertNil(next.ticked(spec: spec, now: at(999), stable: [], candidate: [], judgeAvailable: true).decision)
    }

    func testWorseCandidateHoldsOnceThenRollsBackWithEvidence() throws {
        let state = CanaryAnalysisState.started(spec: spec, at: start)
        var (next, decision) = state.ticked(
            spec: spec, now: at(60), stable: answers(20, groundedness: 0.9),
            candidate: answers(20, groundedness: 0.5), judgeAvailable: true)
        XCTAssertEqual(decision?.action, .hold)
        XCTAssertEqual(next.failures, 1)
        XCTAssertEqual(next.weight, 10)
        (next, decision) = next.ticked(spec: spec, now: at(90), stable: [], candidate: [], judgeAvailable: true)
        XCTAssertNil(decision, "the next check waits an interval from the last")
        (next, decision) = next.ticked(
            spec: spec, now: at(120), stable: answers(20, groundedness: 0.9),
            candidate: answers(20, groundedness: 0.5), judgeAvailable: true)
        let rollback = try XCTUnwrap(decision)
        XCTAssertEqual(rollback.action, .rollback)
        XCTAssertEqual(next.status, .rolledBack)
        XCTAssertEqual(next.weight, 0)
        let grounded = try XCTUnwrap(rollback.evidence.first { $0.signal == .groundedness })
        XCTAssertFalse(grounded.passed)
        XCTAssertEqual(grounded.stable ?? 0, 0.9, accuracy: 1e-9)
        XCTAssertEqual(grounded.candidate ?? 0, 0.5, accuracy: 1e-9)
        XCTAssertTrue(rollback.reason.contains("groundedness"), rollback.reason)
        XCTAssertTrue(rollback.evidence.first { $0.signal == .errorRate }?.passed ?? false)
    }

    func testErrorsCountInTheBadDirection() {
        let state = CanaryAnalysisState.started(
            spec: CanaryAnalysisSpec(
                steps: [50], intervalSeconds: 1, minimumSamples: 5,
                failureLimit: 1,
                checks: [CanaryCheck(signal: .errorRate, tolerance: 0.05)]),
            at: start)
        let (next, decision) = state.ticked(
            spec: CanaryAnalysisSpec(
                steps: [50], intervalSeconds: 1, minimumSamples: 5,
                failureLimit: 1,
                checks: [CanaryCheck(signal: .errorRate, tolerance: 0.05)]),
            now: at(1), stable: answers(20, groundedness: 1),
            candidate: answers(20, groundedness: 1, failed: 4), judgeAvailable: true)
        XCTAssertEqual(decision?.action, .rollback)
        XCTAssertEqual(next.status, .rolledBack)
    }

    func testTooFewAnswersHoldWithoutCountingAFailure() {
        let state = CanaryAnalysisState.started(spec: spec, at: start)
        let (next, decision) = state.ticked(
            spec: spec, now: at(60), stable: answers(20, groundedness: 0.9),
            candidate: answers(3, groundedness: 0.1), judgeAvailable: true)
        XCTAssertEqual(decision?.action, .hold)
        XCTAssertEqual(next.failures, 0)
        XCTAssertTrue(decision?.reason.contains("waiting") ?? false)
    }

    func testJudgeDownPausesAndResumesWithAFreshStep() {
        let state = CanaryAnalysisState.started(spec: spec, at: start)
        var (next, decision) = state.ticked(spec: spec, now: at(10), stable: [], candidate: [], judgeAvailable: false)
        XCTAssertEqual(decision?.action, .pause)
        XCTAssertEqual(next.status, .paused)
        XCTAssertEqual(next.weight, 10, "a pause holds the weight")
        (next, decision) = next.ticked(spec: spec, now: at(500), stable: [], candidate: [], judgeAvailable: false)
        XCTAssertNil(decision)
        (next, decision) = next.ticked(spec: spec, now: at(600), stable: [], candidate: [], judgeAvailable: true)
        XCTAssertEqual(decision?.action, .resume)
        XCTAssertEqual(next.status, .running)
        XCTAssertEqual(next.stepStartedAt, at(600))
        // A spec without judge checks does not pause.
        let plain = CanaryAnalysisSpec(
            steps: [10], intervalSeconds: 60, minimumSamples: 5, failureLimit: 1,
            checks: [CanaryCheck(signal: .errorRate, tolerance: 0.05)])
        XCTAssertNil(
            CanaryAnalysisState.started(spec: plain, at: start)
                .ticked(spec: plain, now: at(10), stable: [], candidate: [], judgeAvailable: false).decision)
    }

    func testAbortReturnsToStableAndDecisionsAreBounded() {
        var state = CanaryAnalysisState.started(spec: spec, at: start)
        let fewer = CanaryAnalysisSpec(steps: [10, 50], intervalSeconds: 1, minimumSamples: 50, failureLimit: 2)
        for second in 1...200 {
            state = state.ticked(spec: fewer, now: at(Double(second)), stable: [], candidate: [], judgeAvailable: true).state
        }
        XCTAssertEqual(state.decisions.count, CanaryAnalysisState.decisionsKept)
        let (aborted, decision) = state.aborted(at: at(300), reason: "by hand")
        XCTAssertEqual(aborted.status, .aborted)
        XCTAssertEqual(aborted.weight, 0)
        XCTAssertEqual(decision.action, .abort)
    }

    func testSpecValidation() {
        XCTAssertNoThrow(try spec.validated())
        for (bad, code) in [
            (CanaryAnalysisSpec(steps: []), "invalid_steps"), (CanaryAnalysisSpec(steps: [50, 20]), "invalid_steps"),
            (CanaryAnalysisSpec(steps: [100]), "invalid_steps"), (CanaryAnalysisSpec(intervalSeconds: 0), "invalid_interval"),
            (CanaryAnalysisSpec(minimumSamples: 0), "invalid_minimum_samples"),
            (CanaryAnalysisSpec(failureLimit: 0), "invalid_failure_limit"),
            (CanaryAnalysisSpec(checks: []), "invalid_checks"),
            (CanaryAnalysisSpec(checks: [CanaryCheck(signal: .queryDrift, tolerance: 0)]), "invalid_checks"),
            (CanaryAnalysisSpec(checks: [CanaryCheck(signal: .groundedness, tolerance: -1)]), "invalid_checks"),
        ] {
            do {
                _ = try bad.validated()
                XCTFail("\(bad) should be refused")
            } catch {
                XCTAssertEqual(error.code, code)
            }
        }
        XCTAssertTrue(CanaryAnalysisSpec().needsJudge)
    }
}
