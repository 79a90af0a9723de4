import PillarCore

/// Measures how far a judge metric can be trusted on a run: against people's verdicts on the same items
/// (`EvalItem.human`) and against itself across repeats.
public enum JudgeAgreement {
    /// A judge's item score at or above this is a pass, as people's rating at or above it is a thumbs up.
    public static let passScore = 4.0

    /// Kappa between the judge's pass (item mean score >= 4) and people's thumbs (rating >= 4 is up), over
    /// items whose human verdict is a thumb; Spearman's rho between the judge's item mean score and people's
    /// rating, over items whose verdict is a rating. Each is measured only with at least `minimumItems`
    /// such items (the item counts are reported either way). The repeat spread is the mean, over items with
    /// at least 2 scored repeats, of their sample standard deviation. Flagged when a measured kappa or rho
    /// is below `minimumAgreement`.
    public static func measure(
        metric: String, prompt: String, results: [EvalResult], items: [EvalItem],
        minimumAgreement: Double, minimumItems: Int = 5
    ) -> EvalComparison.JudgeReliability {
        let values = RepeatValues(results: results)
        var judgePasses: [Bool] = []
        var humanPasses: [Bool] = []
        var judgeScores: [Double] = []
        var humanRatings: [Double] = []
        var spreads: [Double] = []
        var seen: Set<String> = []
        for item in items where seen.insert(item.id).inserted {
            let repeats = values.repeats(item: item.id, metric: metric)
            if let spread = Descriptive.sampleStandardDeviation(repeats) { spreads.append(spread) }
            guard let human = item.human, let score = Descriptive.mean(repeats) else { continue }
            if human.thumbs {
                judgePasses.append(score >= passScore)
                humanPasses.append(Double(human.rating) >= passScore)
            } else {
                judgeScores.append(score)
                humanRatings.append(Double(human.rating))
            }
        }
        let enough = max(1, minimumItems)
        let kappa = judgePasses.count >= enough ? CohenKappa.kappa(judgePasses, humanPasses) : nil
        let rho = judgeScores.count >= enough ? Spearman.rho(judgeScores, humanRatings) : nil
        let flagged = [kappa, rho].contains { measured in measured.map { $0 < minimumAgreement } ?? false }
        return EvalComparison.JudgeReliability(
            prompt: prompt, kappa: kappa, kappaItems: judgePasses.count, spearman: rho,
            spearmanItems: judgeScores.count, repeatStandardDeviation: Descriptive.mean(spreads),
            minimumAgreement: minimumAgreement, flagged: flagged)
    }

    /// `kappa 0.31 over 12 items, below the minimum 0.6; Spearman 0.82 over 8 items`: what was measured,
    /// for warnings.
    public static func describe(_ judge: EvalComparison.JudgeReliability) -> String {
        func measured(_ name: String, _ value: Double?, _ items: Int) -> String? {
            guard let value else { return nil }
            let shortfall =
                value < judge.minimumAgreement
                ? ", below the minimum \(DisplayNumber.format(judge.minimumAgreement))" : ""
            return "\(name) \(DisplayNumber.format(value)) over \(items) items\(shortfall)"
        }
        let parts = [
            measured("kappa", judge.kappa, judge.kappaItems),
            measured("Spearman", judge.spearman, judge.spearmanItems),
        ].compactMap { $0 }
        return parts.isEmpty ? "no agreement measured" : parts.joined(separator: "; ")
    }
}
