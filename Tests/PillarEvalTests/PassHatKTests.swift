import Testing

@testable import PillarEval

@Test func passHatKAveragesTheAllPassChance() throws {
    // k = 2: C(2,2)/C(3,2) = 1/3 and C(3,2)/C(3,2) = 1; mean 2/3.
    let value = try #require(PassHatK.estimate(successes: [2, 3], trials: [3, 3], k: 2))
    #expect(abs(value - 2.0 / 3) < 1e-12)
    // k = 1 is the plain pass rate.
    #expect(PassHatK.estimate(successes: [1, 2], trials: [4, 4], k: 1) == 0.375)
    // Fewer successes than k: no chance that k tries all pass.
    #expect(PassHatK.estimate(successes: [1], trials: [5], k: 2) == 0)
}

@Test func passHatKLeavesOutItemsWithTooFewTrials() throws {
    // The first item (1 trial) says nothing about 2 tries; the second gives C(2,2)/C(4,2) = 1/6.
    let value = try #require(PassHatK.estimate(successes: [1, 2], trials: [1, 4], k: 2))
    #expect(abs(value - 1.0 / 6) < 1e-12)
    #expect(PassHatK.estimate(successes: [1], trials: [1], k: 2) == nil)
}

@Test func passHatKRejectsMalformedCounts() {
    #expect(PassHatK.estimate(successes: [], trials: [], k: 1) == nil)
    #expect(PassHatK.estimate(successes: [1], trials: [2], k: 0) == nil)
    #expect(PassHatK.estimate(successes: [3], trials: [2], k: 1) == nil)
    #expect(PassHatK.estimate(successes: [-1], trials: [2], k: 1) == nil)
    #expect(PassHatK.estimate(successes: [1, 1], trials: [2], k: 1) == nil)
}

@Test func passHatKFromOutcomes() throws {
    let value = try #require(PassHatK.estimate(outcomes: [[true, true, false], [true, true, true], [true]], k: 3))
    #expect(value == 0.5)
}
