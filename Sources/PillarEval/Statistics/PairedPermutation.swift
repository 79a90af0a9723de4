/// The paired (sign-flip) permutation test of "the candidate and the baseline do not differ": under that
/// hypothesis each pair's difference is as likely to have either sign, so the observed mean difference is
/// compared with the means of every (or of randomly) sign-flipped copy of the differences.
public enum PairedPermutation {
    /// Up to this many pairs every one of the 2^n sign patterns is enumerated (65,536 at 16).
    public static let exactLimit = 16

    /// The two-sided p-value: the share of sign patterns whose mean difference is at least as far from 0 as
    /// the observed one. Exact for up to `exactLimit` pairs, where it equals scipy's
    /// `permutation_test((d,), np.mean, permutation_type='samples', n_resamples=np.inf)` (that doubles the
    /// smaller tail, which for the symmetric sign-flip distribution is the same number). Above that,
    /// `resamples` random patterns are drawn and the p-value is (count + 1) / (resamples + 1), which
    /// counts the observed pattern itself so it is never 0. Differences that are all 0 give 1. Nil for
    /// 0 pairs, sides of different lengths, a value that is not finite, or `resamples` below 1.
    public static func pValue(
        baseline: [Double], candidate: [Double], resamples: Int = 10_000,
        seed: UInt64
    ) -> Double? {
        guard let differences = PairedDifferences.of(baseline: baseline, candidate: candidate) else { return nil }
        return pValue(differences: differences, resamples: resamples, seed: seed)
    }

    /// The same p-value over differences already taken.
    public static func pValue(differences: [Double], resamples: Int = 10_000, seed: UInt64) -> Double? {
        guard !differences.isEmpty, resamples >= 1, differences.allSatisfy(\.isFinite) else { return nil }
        let magnitudes = differences.map(abs)
        let total = magnitudes.reduce(0, +)
        guard total > 0 else { return 1 }
        let observed = abs(differences.reduce(0, +))
        // Sums of the same numbers added with other signs can land a rounding error away from a value they
        // equal in exact arithmetic (ties are common: scores are small integers); count those as ties.
        let threshold = observed - 1e-12 * total
        if differences.count <= exactLimit {
            return exactPValue(magnitudes: magnitudes, threshold: threshold)
        }
        return sampledPValue(magnitudes: magnitudes, threshold: threshold, resamples: resamples, seed: seed)
    }

    /// Flipping signs of the differences is the same as giving every magnitude a free sign, so the
    /// observed signs need not be kept.
    private static func exactPValue(magnitudes: [Double], threshold: Double) -> Double {
        let patterns = 1 << magnitudes.count
        var extreme = 0
        for pattern in 0..<patterns {
            var sum = 0.0
            for (index, magnitude) in magnitudes.enumerated() {
                sum += (pattern >> index) & 1 == 1 ? -magnitude : magnitude
            }
            if abs(sum) >= threshold { extreme += 1 }
        }
        return Double(extreme) / Double(patterns)
    }

    private static func sampledPValue(magnitudes: [Double], threshold: Double, resamples: Int, seed: UInt64) -> Double {
        var generator = SplitMix64(seed: seed)
        var extreme = 0
        for _ in 0..<resamples {
            var sum = 0.0
            var bits: UInt64 = 0
            for (index, magnitude) in magnitudes.enumerated() {
                if index % 64 == 0 { bits = generator.next() }
                sum += bits & 1 == 1 ? -magnitude : magnitude
                bits >>= 1
            }
            if abs(sum) >= threshold { extreme += 1 }
        }
        return Double(extreme + 1) / Double(resamples + 1)
    }
}
