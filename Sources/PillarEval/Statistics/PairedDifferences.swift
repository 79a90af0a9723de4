/// Candidate minus baseline, pair by pair: what the paired bootstrap and permutation test work on.
enum PairedDifferences {
    /// Nil when the two sides differ in length or a value is not finite (NaN or infinite).
    static func of(baseline: [Double], candidate: [Double]) -> [Double]? {
        guard baseline.count == candidate.count else { return nil }
        var differences: [Double] = []
        differences.reserveCapacity(baseline.count)
        for (base, cand) in zip(baseline, candidate) {
            let difference = cand - base
            guard difference.isFinite else { return nil }
            differences.append(difference)
        }
        return differences
    }
}
