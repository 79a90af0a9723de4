import Testing

@testable import PillarEval

@Test func permutationEnumeratesEverySignPattern() {
    // Differences 1, 2, 3: of the 8 signed sums (6, 4, 2, 0, 0, -2, -4, -6) two are as far from 0 as 6.
    #expect(PairedPermutation.pValue(baseline: [0, 0, 0], candidate: [1, 2, 3], seed: 1) == 0.25)
    // Differences 1, 0, 2, 0: the zeros do not move the sum; |±1 ± 2| >= 3 in 2 of 4 patterns.
    #expect(PairedPermutation.pValue(differences: [1, 0, 2, 0], seed: 1) == 0.5)
}

@Test func permutationCountsTiesWithTheObservedSum() {
    // Four equal differences: only all-plus and all-minus reach |4|, 2 of 16 patterns.
    #expect(PairedPermutation.pValue(differences: [1, 1, 1, 1], seed: 1) == 0.125)
    // |sum| is 0.2 (in tenths, 26 - 2S for S a subset sum of 1, 7, 8, 4, 6); only the 2 patterns with S = 13
    // fall below it. In floating point some patterns equal to 0.2 land a rounding error short, and a
    // comparison without tolerance would report 28/32.
    #expect(PairedPermutation.pValue(differences: [0.1, 0.7, -0.8, 0.4, -0.6], seed: 1) == 30.0 / 32)
}

@Test func permutationEdgeCases() {
    #expect(PairedPermutation.pValue(differences: [], seed: 1) == nil)
    #expect(PairedPermutation.pValue(differences: [2.5], seed: 1) == 1)
    #expect(PairedPermutation.pValue(differences: [0, 0, 0], seed: 1) == 1)
    #expect(PairedPermutation.pValue(baseline: [1, 2], candidate: [1], seed: 1) == nil)
    #expect(PairedPermutation.pValue(baseline: [1, .nan], candidate: [1, 2], seed: 1) == nil)
    #expect(PairedPermutation.pValue(differences: Array(repeating: 1, count: 20), resamples: 0, seed: 1) == nil)
}

@Test func permutationSamplesAboveTheExactLimit() throws {
    // 17 differences of ±1, 12 positive: the signed sum is 2K - 17 for K plus signs, |sum| >= 7 when K >= 12
    // or K <= 5, so the exact p is 2 * (C(17,12) + ... + C(17,17)) / 2^17 = 2 * 9402 / 131072.
    let differences = Array(repeating: 1.0, count: 12) + Array(repeating: -1.0, count: 5)
    let exact = 2.0 * 9402 / 131_072
    let sampled = try #require(PairedPermutation.pValue(differences: differences, seed: 5))
    // 10,000 draws: standard error sqrt(p(1-p)/10000) ~ 0.0035; 0.015 is over 4 of them.
    #expect(abs(sampled - exact) < 0.015)
    #expect(sampled == PairedPermutation.pValue(differences: differences, seed: 5))
}

@Test func permutationSampledPValueIsNeverZero() throws {
    // All 30 differences positive: the exact p is 2 / 2^30, but a sampled one counts the observed pattern.
    let p = try #require(PairedPermutation.pValue(differences: Array(repeating: 0.5, count: 30), resamples: 999, seed: 3))
    #expect(p == 1.0 / 1000)
}
