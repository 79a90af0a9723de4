/// Cohen's kappa: how much two raters agree on categorical labels beyond what their label frequencies
/// would give by chance, (p_observed - p_expected) / (1 - p_expected).
public enum CohenKappa {
    /// Nil for no pairs, sides of different lengths, or when chance agreement is certain (both raters gave
    /// one and the same label to everything): kappa is 0/0 there, and scikit-learn's `cohen_kappa_score`
    /// returns NaN for it.
    public static func kappa<Label: Hashable>(_ first: [Label], _ second: [Label]) -> Double? {
        guard !first.isEmpty, first.count == second.count else { return nil }
        var firstCounts: [Label: Int] = [:]
        var secondCounts: [Label: Int] = [:]
        var agreements = 0
        for (left, right) in zip(first, second) {
            firstCounts[left, default: 0] += 1
            secondCounts[right, default: 0] += 1
            if left == right { agreements += 1 }
        }
        // In counts (scaled by n^2) so that "chance agreement is 1" is an exact integer test.
        let count = Double(first.count)
        let chance = firstCounts.reduce(0.0) { $0 + Double($1.value) * Double(secondCounts[$1.key] ?? 0) }
        let denominator = count * count - chance
        guard denominator > 0 else { return nil }
        return (count * Double(agreements) - chance) / denominator
    }
}
