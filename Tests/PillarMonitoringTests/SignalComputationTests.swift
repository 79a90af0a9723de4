import PillarCore
import XCTest

@testable import PillarMonitoring

final class SignalComputationTests: XCTestCase {
    func sample(
        _ index: Int, failed: Bool = false, refused: Bool = false, abstained: Bool = false, latency: Double = 100,
        ttft: Double? = nil, cost: Double? = nil, coverage: Double? = nil, groundedness: Double? = nil,
        thumbsDown: Bool? = nil
    ) -> QualitySample {
        QualitySample(
            traceID: "t\(index)", tenant: "acme", createdAt: Double(index), flow: "rag", flowVersion: 1,
            label: "production", failed: failed, refused: refused, abstained: abstained, latencyMs: latency,
            ttftMs: ttft, costUSD: cost, coverage: coverage,
            judgement: groundedness == nil ? .notSampled : .scored, groundedness: groundedness,
            thumbsDown: thumbsDown)
    }

    func value(_ signal: QualitySignal, _ samples: [QualitySample]) -> SignalValue? {
        SignalComputation.value(of: signal, over: samples)
    }

    func testScoresAverageOnlyTheScoredAnswers() {
        let samples = [sample(0, groundedness: 1), sample(1, groundedness: 0.5), sample(2)]
        XCTAssertEqual(value(.groundedness, samples), SignalValue(value: 0.75, samples: 2))
        XCTAssertNil(value(.relevance, samples))
        XCTAssertNil(value(.groundedness, []))
    }

    func testRatesCountTheirOwnDenominators() {
        let samples = [
            sample(0, failed: true), sample(1, refused: true), sample(2, abstained: true), sample(3),
            sample(4, thumbsDown: true), sample(5, thumbsDown: false),
        ]
        XCTAssertEqual(value(.errorRate, samples), SignalValue(value: 1.0 / 6, samples: 6))
        XCTAssertEqual(value(.refusalRate, samples), SignalValue(value: 1.0 / 6, samples: 6))
        // Abstention is a share of the answers given: errors and refusals are not answers.
        XCTAssertEqual(value(.abstentionRate, samples), SignalValue(value: 0.25, samples: 4))
        XCTAssertEqual(value(.thumbsDownShare, samples), SignalValue(value: 0.5, samples: 2))
    }

    func testNearestRankP95() {
        let samples = (1...100).map { sample($0, latency: Double($0)) } + [sample(101, failed: true, latency: 1e9)]
        XCTAssertEqual(value(.latencyP95, samples), SignalValue(value: 95, samples: 100))
        XCTAssertEqual(value(.latencyP95, [sample(0, latency: 7)]), SignalValue(value: 7, samples: 1))
        XCTAssertNil(value(.ttftP95, samples), "no streamed answers, no time to first token")
    }

    func testCostAndCoverage() {
        let samples = [sample(0, cost: 0.002, coverage: 0.8), sample(1, cost: 0.004, coverage: 0.4), sample(2)]
        XCTAssertEqual(value(.costPerAnswer, samples)?.value ?? 0, 0.003, accuracy: 1e-12)
        XCTAssertEqual(value(.retrievalCoverage, samples)?.value ?? 0, 0.6, accuracy: 1e-12)
        XCTAssertNil(value(.queryDrift, samples), "drift needs the query vectors")
    }
}
