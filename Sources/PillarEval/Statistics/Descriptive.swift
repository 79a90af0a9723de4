/// The mean and the sample standard deviation, nil where they are undefined rather than NaN.
public enum Descriptive {
    /// The arithmetic mean; nil for no values.
    public static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return values.reduce(0, +) / Double(values.count)
    }

    /// The standard deviation with Bessel's correction (n - 1 in the denominator, numpy's `ddof=1`); nil for
    /// fewer than 2 values.
    public static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, let mean = mean(values) else { return nil }
        // Two passes (mean first, then squared deviations) keep large offsets from eating the precision.
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(values.count - 1)).squareRoot()
    }
}
