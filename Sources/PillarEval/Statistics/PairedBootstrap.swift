/// The paired percentile bootstrap: a confidence interval for the mean of candidate-minus-baseline
/// differences, found by resampling the pairs with replacement (scipy's `bootstrap(..., paired=True,
/// method='percentile')`).
public enum PairedBootstrap {
    public struct Interval: Sendable, Hashable, Codable {
        public var low: Double
        public var high: Double

        public init(low: Double, high: Double) {
            self.low = low
            self.high = high
        }
    }

    /// The interval holding `confidence` (0.95 means the 2.5th to 97.5th percentile) of the resampled means,
    /// with numpy's default linear interpolation between order statistics. Nil for fewer than 2 pairs,
    /// sides of different lengths, a value that is not finite, `resamples` below 1 or `confidence` outside (0, 1).
    public static func interval(
        baseline: [Double], candidate: [Double], confidence: Double = 0.95,
        resamples: Int = 10_000, seed: UInt64
    ) -> Interval? {
        guard let differences = PairedDifferences.of(baseline: baseline, candidate: candidate) else { return nil }
        return interval(differences: differences, confidence: confidence, resamples: resamples, seed: seed)
    }

    /// The same interval over differences already taken.
    public static func interval(
        differences: [Double], confidence: Double = 0.95, resamples: Int = 10_000,
        seed: UInt64
    ) -> Interval? {
        guard differences.count >= 2, resamples >= 1, confidence > 0, confidence < 1,
            differences.allSatisfy(\.isFinite)
        else { return nil }
        var generator = SplitMix64(seed: seed)
        let count = differences.count
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0
            for _ in 0..<count {
                sum += differences[Int.random(in: 0..<count, using: &generator)]
            }
            means.append(sum / Double(count))
        }
        means.sort()
        let tail = (1 - confidence) / 2
        return Interval(low: quantile(sortedValues: means, at: tail), high: quantile(sortedValues: means, at: 1 - tail))
    }

    /// numpy's "linear" quantile (Hyndman and Fan's type 7) of sorted, non-empty values.
    static func quantile(sortedValues: [Double], at probability: Double) -> Double {
        let position = probability * Double(sortedValues.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sortedValues.count - 1)
        let fraction = position - Double(lower)
        return sortedValues[lower] + (sortedValues[upper] - sortedValues[lower]) * fraction
    }
}
