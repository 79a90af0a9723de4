import PillarCore

extension EvalComparison {
    /// The most regressions a comparison lists, over all metrics.
    public static let regressionLimit = 100
    /// How much of an item's question a regression quotes.
    public static let questionLimit = 200

    /// Compares a candidate run with a baseline on the same dataset.
    ///
    /// Per item, a metric's value is the mean over the run's repeats of the scores it has (nil, NaN and
    /// infinite values left out). Each run's mean is over the items it scored; the paired numbers (delta,
    /// the `resamples`-draw percentile bootstrap interval and the permutation p-value) are over the items
    /// both scored. Every metric's resampling starts from `seed`, so a metric's numbers do not depend on
    /// which other metrics are compared. pass^k uses `k` = the run's repeats and the metric's pass
    /// threshold (nil without one). `judges` (by metric name) are attached to their metrics and warned
    /// about when flagged. Items come in the order of `items`, then any item only the results name, by id.
    /// Regressions (every paired item worse by the metric's direction) are ranked across metrics by the
    /// change relative to the larger of the two values, so milliseconds and 0-1 scores compare; at most
    /// `regressionLimit`, questions cut to `questionLimit` characters. `RunSummary.items` counts the items
    /// a run has results for.
    public static func make(
        baseline: EvalRunRecord, baselineResults: [EvalResult], candidate: EvalRunRecord,
        candidateResults: [EvalResult], items: [EvalItem], metrics: [EvalMetric],
        judges: [String: JudgeReliability] = [:], resamples: Int = 10_000,
        seed: UInt64 = 20_261_204
    ) -> EvalComparison {
        let baseValues = RepeatValues(results: baselineResults)
        let candValues = RepeatValues(results: candidateResults)
        let itemIDs = orderedItemIDs(items: items, answered: baseValues.answeredItems.union(candValues.answeredItems))
        let questions = Dictionary(items.map { ($0.id, $0.question) }, uniquingKeysWith: { first, _ in first })

        var comparisons: [MetricComparison] = []
        var regressions: [RankedRegression] = []
        for metric in metrics {
            let base = itemIDs.map { baseValues.itemMean(item: $0, metric: metric.name) }
            let cand = itemIDs.map { candValues.itemMean(item: $0, metric: metric.name) }
            var pairedBase: [Double] = []
            var pairedCand: [Double] = []
            for (index, id) in itemIDs.enumerated() {
                guard let before = base[index], let after = cand[index] else { continue }
                pairedBase.append(before)
                pairedCand.append(after)
                if let ranked = RankedRegression(
                    itemID: id, question: questions[id] ?? "", metric: metric,
                    baseline: before, candidate: after)
                {
                    regressions.append(ranked)
                }
            }
            let differences = zip(pairedCand, pairedBase).map { $0 - $1 }
            let interval = PairedBootstrap.interval(differences: differences, resamples: resamples, seed: seed)
            comparisons.append(
                MetricComparison(
                    name: metric.name, direction: metric.direction,
                    baselineMean: Descriptive.mean(base.compactMap { $0 }),
                    candidateMean: Descriptive.mean(cand.compactMap { $0 }),
                    delta: Descriptive.mean(differences),
                    intervalLow: interval?.low, intervalHigh: interval?.high,
                    pValue: PairedPermutation.pValue(differences: differences, resamples: resamples, seed: seed),
                    pairs: differences.count,
                    baselinePassK: passHatK(metric: metric, values: baseValues, items: itemIDs, k: baseline.spec.repeats),
                    candidatePassK: passHatK(metric: metric, values: candValues, items: itemIDs, k: candidate.spec.repeats),
                    baselineValues: base, candidateValues: cand,
                    judge: judges[metric.name]))
        }

        let baselineOnly = itemIDs.filter { baseValues.answeredItems.contains($0) && !candValues.answeredItems.contains($0) }
        let candidateOnly = itemIDs.filter { candValues.answeredItems.contains($0) && !baseValues.answeredItems.contains($0) }
        let warnings =
            ComparisonWarnings.datasets(baseline: baseline, candidate: candidate)
            + ComparisonWarnings.unfinished(role: "baseline", record: baseline)
            + ComparisonWarnings.unfinished(role: "candidate", record: candidate)
            + ComparisonWarnings.oneSided(baselineOnly: baselineOnly, candidateOnly: candidateOnly)
            + ComparisonWarnings.flaggedJudges(judges)

        return EvalComparison(
            baseline: RunSummary(record: baseline, answeredItems: baseValues.answeredItems.count),
            candidate: RunSummary(record: candidate, answeredItems: candValues.answeredItems.count),
            items: itemIDs, metrics: comparisons,
            regressions: RankedRegression.worstFirst(regressions, limit: regressionLimit),
            warnings: warnings, bootstrapResamples: resamples, seed: seed)
    }

    private static func orderedItemIDs(items: [EvalItem], answered: Set<String>) -> [String] {
        var seen: Set<String> = []
        var ordered: [String] = []
        for item in items where seen.insert(item.id).inserted { ordered.append(item.id) }
        return ordered + answered.subtracting(seen).sorted()
    }

    /// Each item's repeats as pass/fail outcomes; nil for a metric with no pass threshold.
    private static func passHatK(metric: EvalMetric, values: RepeatValues, items: [String], k: Int) -> Double? {
        guard metric.passThreshold != nil else { return nil }
        let outcomes = items.map { item in values.repeats(item: item, metric: metric.name).compactMap(metric.passes) }
        return PassHatK.estimate(outcomes: outcomes, k: k)
    }
}
