/// The nearest-rank percentile, as Prometheus' and most dashboards' summaries read it: the smallest value with
/// at least `p` of the values at or below it.
public enum NearestRank {
    /// `p` in 0...1; nil for no values.
    public static func percentile(_ p: Double, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
}
