/// pass^k (tau-bench, Yao et al. 2024): the chance that k independent tries at an item all pass, estimated
/// without bias from n >= k tries of which c passed as C(c, k) / C(n, k), and averaged over items. Unlike
/// pass@k it falls as k grows, so it rewards a flow that is reliably right rather than right once.
public enum PassHatK {
    /// Items with fewer than `k` trials cannot say anything about k tries and are left out. Nil when `k`
    /// is below 1, no item has `k` trials, the arrays differ in length, or an item has negative counts or
    /// more successes than trials.
    public static func estimate(successes: [Int], trials: [Int], k: Int) -> Double? {
        guard k >= 1, successes.count == trials.count else { return nil }
        var sum = 0.0
        var counted = 0
        for (passed, tried) in zip(successes, trials) {
            guard passed >= 0, passed <= tried else { return nil }
            guard tried >= k else { continue }
            sum += allPassRatio(successes: passed, trials: tried, k: k)
            counted += 1
        }
        return counted == 0 ? nil : sum / Double(counted)
    }

    /// The same estimate from each item's pass/fail outcomes, one per try.
    public static func estimate(outcomes: [[Bool]], k: Int) -> Double? {
        estimate(successes: outcomes.map { $0.count(where: { $0 }) }, trials: outcomes.map(\.count), k: k)
    }

    /// C(c, k) / C(n, k) as the product of (c - i) / (n - i) for i below k: no factorials to overflow, and
    /// 0 as soon as c < k.
    private static func allPassRatio(successes: Int, trials: Int, k: Int) -> Double {
        guard successes >= k else { return 0 }
        var ratio = 1.0
        for step in 0..<k {
            ratio *= Double(successes - step) / Double(trials - step)
        }
        return ratio
    }
}
