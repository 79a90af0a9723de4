import Foundation
import XCTest

@testable import PillarMonitoring

final class MonitorStateTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_000_000)
    let spec = MonitorSpec(
        name: "groundedness-low", signal: .groundedness, warning: 0.7, alert: 0.6, minimumSamples: 10,
        noData: .keep, hysteresis: 0.05, clearAfter: 2)

    func walk(_ values: [Double?], spec: MonitorSpec? = nil, samples: Int = 20) -> [(MonitorLevel, MonitorTransition?)] {
        var state = MonitorState.initial(at: start)
        var levels: [(MonitorLevel, MonitorTransition?)] = []
        for (index, value) in values.enumerated() {
            let observation = value.map { SignalValue(value: $0, samples: samples) }
            let (next, transition) = state.evaluated(
                by: spec ?? self.spec, observation: observation,
                now: start.addingTimeInterval(Double(index * 30)))
            state = next
            levels.append((next.level, transition))
        }
        return levels
    }

    func testRisesAtOnceAndFallsOnlyPastTheHysteresisForClearAfterRounds() {
        let levels = walk([0.8, 0.55, 0.62, 0.64, 0.66, 0.66, 0.9, 0.9]).map(\.0)
        // 0.62 and 0.64 are above the alert threshold but within the hysteresis (0.65): still alert.
        // 0.66 twice clears to warning (it is under the warning threshold), then 0.9 twice clears to ok.
        XCTAssertEqual(levels, [.ok, .alert, .alert, .alert, .alert, .warning, .warning, .ok])
    }

    func testAHoveringSignalDoesNotFlap() {
        let values = (0..<40).map { $0.isMultiple(of: 2) ? 0.59 : 0.61 }
        let transitions = walk(values).compactMap(\.1)
        XCTAssertEqual(transitions.count, 1, "one rise to alert and no flapping: \(transitions)")
        XCTAssertEqual(transitions.first?.to, .alert)
    }

    func testTooFewSamplesIsNoData() {
        var keep = walk([0.5, 0.9, 0.9], samples: 5).map(\.0)
        XCTAssertEqual(keep, [.ok, .ok, .ok], "fewer than minimumSamples never raises")
        var spec = self.spec
        spec.noData = .alert
        keep = walk([nil], spec: spec).map(\.0)
        XCTAssertEqual(keep, [.alert])
        spec.noData = .ok
        let cleared = walk([0.5, nil], spec: spec)
        XCTAssertEqual(cleared.map(\.0), [.alert, .ok])
        XCTAssertNil(cleared[1].1?.value)
        spec.noData = .keep
        XCTAssertEqual(walk([0.5, nil, nil], spec: spec).map(\.0), [.alert, .alert, .alert])
    }

    func testAboveDirectionForRates() {
        let spec = MonitorSpec(name: "errors", signal: .errorRate, warning: 0.02, alert: 0.05, minimumSamples: 1, clearAfter: 1)
        XCTAssertEqual(spec.direction, .above)
        XCTAssertEqual(walk([0.01, 0.03, 0.2, 0.0], spec: spec).map(\.0), [.ok, .warning, .alert, .ok])
    }

    func testTransitionsSayWhy() throws {
        let transition = try XCTUnwrap(walk([0.5]).first?.1)
        XCTAssertEqual(transition.from, .ok)
        XCTAssertEqual(transition.to, .alert)
        XCTAssertEqual(transition.value, 0.5)
        XCTAssertEqual(transition.samples, 20)
        XCTAssertTrue(transition.reason.contains("groundedness"), transition.reason)
    }

    func testSpecProblems() {
        XCTAssertNil(spec.problem)
        XCTAssertNotNil(MonitorSpec(name: "", signal: .groundedness, alert: 0.5).problem)
        XCTAssertNotNil(MonitorSpec(name: "a b", signal: .groundedness, alert: 0.5).problem)
        XCTAssertNotNil(
            MonitorSpec(name: "x", signal: .groundedness, warning: 0.4, alert: 0.5).problem,
            "below: the warning must come before the alert")
        XCTAssertNotNil(MonitorSpec(name: "x", signal: .errorRate, warning: 0.5, alert: 0.1).problem)
        XCTAssertNotNil(MonitorSpec(name: "x", signal: .groundedness, alert: .nan).problem)
        XCTAssertNotNil(MonitorSpec(name: "x", signal: .groundedness, alert: 0.5, hysteresis: -1).problem)
        for shipped in MonitorSpec.shipped { XCTAssertNil(shipped.problem, shipped.name) }
        XCTAssertEqual(Set(MonitorSpec.shipped.map(\.name)).count, MonitorSpec.shipped.count)
    }

    func testStateSurvivesEncoding() throws {
        let (state, _) = MonitorState.initial(at: start).evaluated(
            by: spec, observation: SignalValue(value: 0.5, samples: 30),
            now: start)
        let decoded = try JSONDecoder().decode(MonitorState.self, from: JSONEncoder().encode(state))
        XCTAssertEqual(decoded, state)
    }
}
