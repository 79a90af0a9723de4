import Testing

@testable import PillarEval

@Test func meanOfValues() {
    #expect(Descriptive.mean([1, 2, 3, 4]) == 2.5)
    #expect(Descriptive.mean([7]) == 7)
    #expect(Descriptive.mean([]) == nil)
}

@Test func sampleStandardDeviationUsesNMinusOne() throws {
    // Squared deviations from the mean 5 sum to 32; 32 / 7 with Bessel's correction.
    let deviation = try #require(Descriptive.sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]))
    #expect(abs(deviation - (32.0 / 7).squareRoot()) < 1e-12)
    #expect(Descriptive.sampleStandardDeviation([3, 3, 3]) == 0)
    #expect(Descriptive.sampleStandardDeviation([3]) == nil)
    #expect(Descriptive.sampleStandardDeviation([]) == nil)
}

@Test func sampleStandardDeviationKeepsPrecisionFarFromZero() throws {
    let deviation = try #require(Descriptive.sampleStandardDeviation([1e9 + 1, 1e9 + 2, 1e9 + 3]))
    #expect(abs(deviation - 1) < 1e-6)
}
