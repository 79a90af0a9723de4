import Foundation
import PillarRetrieval
import XCTest

@testable import PillarMonitoring

/// The test's data comes from its own stream, apart from the permutations it is tested against.
private struct TestRandom {
    private var generator: SplitMix64
    private var spareGaussian: Double?

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in (0, 1]; excluding 0 keeps log() in Box–Muller finite.
    mutating func unit() -> Double {
        Double((next() >> 11) + 1) / Double(1 << 53)
    }

    mutating func index(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// Box–Muller; the second variate of each pair is cached, not discarded.
    mutating func gaussian() -> Double {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        let radius = (-2 * log(unit())).squareRoot()
        let angle = 2 * Double.pi * unit()
        spareGaussian = radius * sin(angle)
        return radius * cos(angle)
    }
}

/// A toy "topic mixture": each query embedding is a topic centre plus isotropic noise.
private struct TopicMixture {
    var centres: [[Double]]
    var noise: Double

    init(topics: Int, dimension: Int, noise: Double, rng: inout TestRandom) {
        centres = (0..<topics).map { _ in (0..<dimension).map { _ in rng.gaussian() } }
        self.noise = noise
    }

    func sample(_ count: Int, rng: inout TestRandom) -> [[Float]] {
        (0..<count).map { _ in
            let centre = centres[rng.index(below: centres.count)]
            return centre.map { Float($0 + noise * rng.gaussian()) }
        }
    }
}

final class EmbeddingDriftTests: XCTestCase {
    private let dimension = 32
    private let perSide = 60

    func testSameDistributionFalseAlarmRateIsControlled() throws {
        let repetitions = 120
        var alarms = 0
        for repetition in 0..<repetitions {
            var rng = TestRandom(seed: 10_000 + UInt64(repetition))
            let mixture = TopicMixture(topics: 4, dimension: dimension, noise: 0.8, rng: &rng)
            let reference = mixture.sample(perSide, rng: &rng)
            let current = mixture.sample(perSide, rng: &rng)
            let result = try XCTUnwrap(
                EmbeddingDrift.test(
                    reference: reference, current: current, permutations: 199, seed: UInt64(repetition)))
            if result.pValue < 0.05 { alarms += 1 }
        }
        let rate = Double(alarms) / Double(repetitions)
        XCTAssertLessThanOrEqual(rate, 0.10, "false-alarm rate \(rate) (\(alarms)/\(repetitions))")
    }

    func testOtherTopicIsDetected() throws {
        let repetitions = 50
        var detections = 0
        for repetition in 0..<repetitions {
            var rng = TestRandom(seed: 20_000 + UInt64(repetition))
            let before = TopicMixture(topics: 4, dimension: dimension, noise: 0.8, rng: &rng)
            let after = TopicMixture(topics: 4, dimension: dimension, noise: 0.8, rng: &rng)
            let reference = before.sample(perSide, rng: &rng)
            let current = after.sample(perSide, rng: &rng)
            let result = try XCTUnwrap(
                EmbeddingDrift.test(
                    reference: reference, current: current, permutations: 199, seed: UInt64(repetition)))
            if result.pValue < 0.05 { detections += 1 }
        }
        let power = Double(detections) / Double(repetitions)
        XCTAssertGreaterThanOrEqual(power, 0.9, "power \(power) (\(detections)/\(repetitions))")
    }

    func testReturnsNilForTooFewVectors() {
        var rng = TestRandom(seed: 1)
        let mixture = TopicMixture(topics: 2, dimension: 8, noise: 0.5, rng: &rng)
        let five = mixture.sample(5, rng: &rng)
        let four = mixture.sample(4, rng: &rng)
        XCTAssertNil(EmbeddingDrift.test(reference: four, current: five, seed: 0))
        XCTAssertNil(EmbeddingDrift.test(reference: five, current: four, seed: 0))
        XCTAssertNil(EmbeddingDrift.test(reference: [], current: five, seed: 0))
        XCTAssertNotNil(EmbeddingDrift.test(reference: five, current: five, seed: 0))
        // A cut below 5 leaves too few vectors, whatever the input size.
        XCTAssertNil(EmbeddingDrift.test(reference: five, current: five, maximumPerSide: 4, seed: 0))
        XCTAssertNil(EmbeddingDrift.test(reference: five, current: five, maximumPerSide: -1, seed: 0))
    }

    func testReturnsNilForBadDimensions() {
        var rng = TestRandom(seed: 2)
        let eight = TopicMixture(topics: 2, dimension: 8, noise: 0.5, rng: &rng).sample(10, rng: &rng)
        let nine = TopicMixture(topics: 2, dimension: 9, noise: 0.5, rng: &rng).sample(10, rng: &rng)
        XCTAssertNil(EmbeddingDrift.test(reference: eight, current: nine, seed: 0))

        var ragged = eight
        ragged[3].removeLast()
        XCTAssertNil(EmbeddingDrift.test(reference: ragged, current: eight, seed: 0))
        XCTAssertNil(EmbeddingDrift.test(reference: eight, current: ragged, seed: 0))

        let empty = [[Float]](repeating: [], count: 10)
        XCTAssertNil(EmbeddingDrift.test(reference: empty, current: empty, seed: 0))
    }

    func testReturnsNilForNonFiniteValues() {
        var rng = TestRandom(seed: 3)
        let clean = TopicMixture(topics: 2, dimension: 8, noise: 0.5, rng: &rng).sample(10, rng: &rng)
        for bad in [Float.nan, .infinity, -.infinity] {
            var dirty = clean
            dirty[7][2] = bad
            XCTAssertNil(EmbeddingDrift.test(reference: dirty, current: clean, seed: 0), "\(bad)")
            XCTAssertNil(EmbeddingDrift.test(reference: clean, current: dirty, seed: 0), "\(bad)")
        }
    }

    func testDeterministicForSeed() throws {
        var rng = TestRandom(seed: 4)
        let mixture = TopicMixture(topics: 3, dimension: 16, noise: 0.8, rng: &rng)
        let reference = mixture.sample(30, rng: &rng)
        let current = mixture.sample(30, rng: &rng)
        let first = try XCTUnwrap(EmbeddingDrift.test(reference: reference, current: current, seed: 42))
        let second = try XCTUnwrap(EmbeddingDrift.test(reference: reference, current: current, seed: 42))
        XCTAssertEqual(first, second)

        // Different seeds must actually drive different permutations; among several
        // seeds at least one p-value should differ, while the statistic never does.
        let others = try (43..<48).map {
            try XCTUnwrap(EmbeddingDrift.test(reference: reference, current: current, seed: $0))
        }
        XCTAssertTrue(others.allSatisfy { $0.statistic == first.statistic })
        XCTAssertTrue(others.contains { $0.pValue != first.pValue })
    }

    func testMaximumPerSideCutsToFirstVectors() throws {
        var rng = TestRandom(seed: 5)
        let mixture = TopicMixture(topics: 3, dimension: 16, noise: 0.8, rng: &rng)
        var reference = mixture.sample(50, rng: &rng)
        let current = mixture.sample(30, rng: &rng)
        // Past the cut, so it must neither void the test nor affect it.
        reference[45][0] = .nan

        let cut = try XCTUnwrap(
            EmbeddingDrift.test(
                reference: reference, current: current, permutations: 99, maximumPerSide: 20, seed: 7))
        XCTAssertEqual(cut.referenceCount, 20)
        XCTAssertEqual(cut.currentCount, 20)

        let prefixed = try XCTUnwrap(
            EmbeddingDrift.test(
                reference: Array(reference.prefix(20)), current: Array(current.prefix(20)),
                permutations: 99, maximumPerSide: 20, seed: 7))
        XCTAssertEqual(cut, prefixed)

        let uncut = try XCTUnwrap(
            EmbeddingDrift.test(
                reference: Array(reference.prefix(40)), current: current, permutations: 99, maximumPerSide: 200, seed: 7))
        XCTAssertEqual(uncut.referenceCount, 40)
        XCTAssertEqual(uncut.currentCount, 30)
    }

    func testPermutationsAreClamped() throws {
        var rng = TestRandom(seed: 6)
        let mixture = TopicMixture(topics: 2, dimension: 4, noise: 0.5, rng: &rng)
        let reference = mixture.sample(5, rng: &rng)
        let current = mixture.sample(5, rng: &rng)
        let low = try XCTUnwrap(EmbeddingDrift.test(reference: reference, current: current, permutations: 0, seed: 1))
        XCTAssertEqual(low.permutations, 1)
        let high = try XCTUnwrap(
            EmbeddingDrift.test(
                reference: reference, current: current, permutations: 1_000_000, seed: 1))
        XCTAssertEqual(high.permutations, 10_000)
    }

    func testPValueIsInUnitIntervalAndOnPermutationGrid() throws {
        var rng = TestRandom(seed: 7)
        let before = TopicMixture(topics: 4, dimension: dimension, noise: 0.8, rng: &rng)
        let after = TopicMixture(topics: 4, dimension: dimension, noise: 0.8, rng: &rng)
        let reference = before.sample(40, rng: &rng)
        let cases: [(String, [[Float]])] = [
            ("same", before.sample(40, rng: &rng)),
            ("shifted", after.sample(40, rng: &rng)),
            ("identical", reference),
        ]
        let permutations = 99
        for (name, current) in cases {
            let result = try XCTUnwrap(
                EmbeddingDrift.test(
                    reference: reference, current: current, permutations: permutations, seed: 11), name)
            XCTAssertGreaterThan(result.pValue, 0, name)
            XCTAssertLessThanOrEqual(result.pValue, 1, name)
            XCTAssertTrue(result.statistic.isFinite, name)
            let exceedances = result.pValue * Double(permutations + 1)
            XCTAssertEqual(exceedances, exceedances.rounded(), accuracy: 1e-9, name)
            if name == "shifted" {
                XCTAssertEqual(result.pValue, 1 / Double(permutations + 1), name)
            }
        }
    }

    func testScaleInvariantThroughNormalisation() throws {
        var rng = TestRandom(seed: 8)
        let mixture = TopicMixture(topics: 3, dimension: 16, noise: 0.8, rng: &rng)
        let reference = mixture.sample(20, rng: &rng)
        let current = mixture.sample(20, rng: &rng)
        // Powers of two scale exactly in floating point, so normalised vectors match bit for bit.
        let scaled = current.map { $0.map { $0 * 8 } }
        let plain = try XCTUnwrap(EmbeddingDrift.test(reference: reference, current: current, seed: 3))
        let rescaled = try XCTUnwrap(EmbeddingDrift.test(reference: reference, current: scaled, seed: 3))
        XCTAssertEqual(plain, rescaled)
    }

    func testMostlyDuplicateQueriesStillGiveAUsableTest() throws {
        // More than half the pooled pairs are identical, so the raw median distance is 0.
        var rng = TestRandom(seed: 9)
        let mixture = TopicMixture(topics: 2, dimension: 8, noise: 0.5, rng: &rng)
        let repeated = mixture.sample(1, rng: &rng)[0]
        let reference = [[Float]](repeating: repeated, count: 20)
        let current = [[Float]](repeating: repeated, count: 15) + mixture.sample(5, rng: &rng)
        let result = try XCTUnwrap(EmbeddingDrift.test(reference: reference, current: current, seed: 1))
        XCTAssertTrue(result.statistic.isFinite)
        XCTAssertGreaterThan(result.statistic, 0)

        let constant = try XCTUnwrap(EmbeddingDrift.test(reference: reference, current: reference, seed: 1))
        XCTAssertEqual(constant.statistic, 0, accuracy: 1e-12)
        XCTAssertEqual(constant.pValue, 1)
    }

    func testResultRoundTripsThroughJSON() throws {
        var rng = TestRandom(seed: 10)
        let mixture = TopicMixture(topics: 2, dimension: 8, noise: 0.5, rng: &rng)
        let result = try XCTUnwrap(
            EmbeddingDrift.test(
                reference: mixture.sample(10, rng: &rng), current: mixture.sample(10, rng: &rng), seed: 2))
        let decoded = try JSONDecoder().decode(EmbeddingDrift.Result.self, from: JSONEncoder().encode(result))
        XCTAssertEqual(decoded, result)
    }
}
