/// Spearman's rank correlation: Pearson's correlation of the two sides' ranks, tied values sharing the
/// average of the ranks they span (what `scipy.stats.spearmanr` computes).
public enum Spearman {
    /// Rho in [-1, 1]. Nil for fewer than 2 pairs, sides of different lengths, a value that is not finite,
    /// or a side whose values are all equal (its ranks have no spread, so rho is 0/0).
    public static func rho(_ first: [Double], _ second: [Double]) -> Double? {
        guard first.count >= 2, first.count == second.count,
            first.allSatisfy(\.isFinite), second.allSatisfy(\.isFinite)
        else { return nil }
        return pearson(averageRanks(first), averageRanks(second))
    }

    /// 1-based ranks; a run of equal values gets the mean of the ranks it occupies.
    static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let shared = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = shared }
            start = end + 1
        }
        return ranks
    }

    private static func pearson(_ first: [Double], _ second: [Double]) -> Double? {
        guard let firstMean = Descriptive.mean(first), let secondMean = Descriptive.mean(second) else { return nil }
        var products = 0.0
        var firstSquares = 0.0
        var secondSquares = 0.0
        for (left, right) in zip(first, second) {
            products += (left - firstMean) * (right - secondMean)
            firstSquares += (left - firstMean) * (left - firstMean)
            secondSquares += (right - secondMean) * (right - secondMean)
        }
        guard firstSquares > 0, secondSquares > 0 else { return nil }
        return min(1, max(-1, products / (firstSquares * secondSquares).squareRoot()))
    }
}
