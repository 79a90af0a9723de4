import Testing

@testable import PillarEval

@Test func bootstrapQuantileInterpolatesLikeNumpy() {
    // np.percentile([1, 2, 3, 4], [25, 50, 97.5]) == [1.75, 2.5, 3.925]
    #expect(PairedBootstrap.quantile(sortedValues: [1, 2, 3, 4], at: 0.25) == 1.75)
    #expect(PairedBootstrap.quantile(sortedValues: [1, 2, 3, 4], at: 0.5) == 2.5)
    #expect(abs(PairedBootstrap.quantile(sortedValues: [1, 2, 3, 4], at: 0.975) - 3.925) < 1e-12)
    #expect(PairedBootstrap.quantile(sortedValues: [5], at: 0.975) == 5)
}

@Test func bootstrapOfTwoPairsSpansTheirExtremes() throws {
    // Resampled means of differences [0, 1] are 0, 0.5 and 1 with chances 1/4, 1/2, 1/4: the 2.5th and
    // 97.5th percentiles fall inside the outer atoms.
    let interval = try #require(PairedBootstrap.interval(baseline: [1, 1], candidate: [1, 2], seed: 7))
    #expect(interval == PairedBootstrap.Interval(low: 0, high: 1))
}

@Test func bootstrapOfConstantDifferencesIsThatDifference() throws {
    let interval = try #require(PairedBootstrap.interval(baseline: [1, 2, 3], candidate: [1.5, 2.5, 3.5], seed: 1))
    #expect(interval == PairedBootstrap.Interval(low: 0.5, high: 0.5))
}

@Test func bootstrapIsUndefinedWithoutTwoFinitePairs() {
    #expect(PairedBootstrap.interval(baseline: [], candidate: [], seed: 1) == nil)
    #expect(PairedBootstrap.interval(baseline: [1], candidate: [2], seed: 1) == nil)
    #expect(PairedBootstrap.interval(baseline: [1, 2], candidate: [2], seed: 1) == nil)
    #expect(PairedBootstrap.interval(baseline: [1, .nan], candidate: [2, 3], seed: 1) == nil)
    #expect(PairedBootstrap.interval(baseline: [1, 2], candidate: [2, .infinity], seed: 1) == nil)
    #expect(PairedBootstrap.interval(baseline: [1, 2], candidate: [2, 4], resamples: 0, seed: 1) == nil)
    #expect(PairedBootstrap.interval(baseline: [1, 2], candidate: [2, 4], confidence: 1, seed: 1) == nil)
}

@Test func bootstrapRepeatsForASeedAndNarrowsWithConfidence() throws {
    let baseline = (0..<40).map { Double($0 % 5) }
    let candidate = (0..<40).map { Double(($0 * 7) % 6) }
    let first = try #require(PairedBootstrap.interval(baseline: baseline, candidate: candidate, seed: 99))
    let again = try #require(PairedBootstrap.interval(baseline: baseline, candidate: candidate, seed: 99))
    let narrow = try #require(PairedBootstrap.interval(baseline: baseline, candidate: candidate, confidence: 0.5, seed: 99))
    #expect(first == again)
    #expect(narrow.low > first.low && narrow.high < first.high)
}

@Test func bootstrapIntervalMatchesTheNormalApproximationOnALargeSample() throws {
    // 400 differences cycling 0, 1, 2, 3: mean 1.5, population SD sqrt(1.25). The bootstrap distribution of
    // the mean is close to normal with SD sqrt(1.25 / 400), so the 95% interval is about 1.5 ± 0.1096.
    let differences = (0..<400).map { Double($0 % 4) }
    let interval = try #require(PairedBootstrap.interval(differences: differences, seed: 2026))
    let halfWidth = 1.959964 * (1.25 / 400).squareRoot()
    #expect(abs(interval.low - (1.5 - halfWidth)) < 0.01)
    #expect(abs(interval.high - (1.5 + halfWidth)) < 0.01)
}
