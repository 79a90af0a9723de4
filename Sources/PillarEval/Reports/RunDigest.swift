import PillarCore

/// What one run's answers add up to: per metric the mean and how many values it had, answers per status,
/// failures per error code, and the slowest items. `RunReport` writes it; it is computed here so it can be
/// checked apart from the text.
struct RunDigest: Sendable, Hashable {
    struct MetricLine: Sendable, Hashable {
        var name: String
        var direction: EvalMetric.Direction?
        /// Over items, each item's mean over its repeats (as comparisons compute it).
        var mean: Double?
        /// Answers with a finite value.
        var values: Int
        /// Answers whose score says it failed.
        var scoringErrors: Int
        /// What the first of those said (a judge off its rubric, say), so a reader knows why values are missing.
        var firstScoringError: String? = nil
    }

    struct ErrorLine: Sendable, Hashable {
        var code: String
        var answers: Int
        var firstMessage: String?
    }

    struct SlowItem: Sendable, Hashable {
        var itemID: String
        var latencyMs: Double
        var repeatIndex: Int
        var status: EvalResult.Status
        var errorCode: String?
    }

    var answers: Int
    /// Results that belong to another run and were left out.
    var otherRuns: Int
    var answered: Int
    var refused: Int
    var failed: Int
    var metrics: [MetricLine]
    var errors: [ErrorLine]
    var slowest: [SlowItem]

    static let slowestLimit = 10
    /// The code failures without one are counted under.
    static let unknownErrorCode = "unknown"

    init(runID: String, results allResults: [EvalResult], metrics catalog: [EvalMetric]) {
        let results = allResults.filter { $0.runID == runID }
        answers = results.count
        otherRuns = allResults.count - results.count
        answered = results.count(where: { $0.status == .answered })
        refused = results.count(where: { $0.status == .refused })
        failed = results.count(where: { $0.status == .failed })
        metrics = Self.metricLines(results, catalog: catalog)
        errors = Self.errorLines(results)
        slowest = Self.slowestItems(results)
    }

    /// The catalog's metrics in its order, then any other metric the answers were scored on, by name.
    private static func metricLines(_ results: [EvalResult], catalog: [EvalMetric]) -> [MetricLine] {
        var names = catalog.map(\.name)
        var known = Set(names)
        for name in Set(results.flatMap { $0.scores.keys }).sorted() where !known.contains(name) {
            names.append(name)
            known.insert(name)
        }
        return names.map { name in
            var perItem: [String: (sum: Double, count: Int)] = [:]
            var values = 0
            var scoringErrors = 0
            var firstScoringError: String?
            for result in results {
                guard let score = result.scores[name] else { continue }
                if let error = score.error {
                    scoringErrors += 1
                    if firstScoringError == nil { firstScoringError = error }
                }
                guard let value = score.value, value.isFinite else { continue }
                values += 1
                perItem[result.itemID, default: (0, 0)].sum += value
                perItem[result.itemID, default: (0, 0)].count += 1
            }
            let itemMeans = perItem.values.map { $0.sum / Double($0.count) }
            let mean = itemMeans.isEmpty ? nil : itemMeans.reduce(0, +) / Double(itemMeans.count)
            return MetricLine(
                name: name, direction: catalog.first { $0.name == name }?.direction, mean: mean,
                values: values, scoringErrors: scoringErrors, firstScoringError: firstScoringError)
        }
    }

    /// Failed answers, and any other answer with an error code, by code: most frequent first.
    private static func errorLines(_ results: [EvalResult]) -> [ErrorLine] {
        var lines: [String: ErrorLine] = [:]
        for result in results where result.status == .failed || result.errorCode != nil {
            let code = result.errorCode ?? unknownErrorCode
            var line = lines[code] ?? ErrorLine(code: code, answers: 0, firstMessage: nil)
            line.answers += 1
            if line.firstMessage == nil { line.firstMessage = result.errorMessage }
            lines[code] = line
        }
        return lines.values.sorted { ($0.answers, $1.code) > ($1.answers, $0.code) }
    }

    /// Each item's slowest answer, slowest items first (ties by item id).
    private static func slowestItems(_ results: [EvalResult]) -> [SlowItem] {
        var slowestByItem: [String: EvalResult] = [:]
        for result in results where result.latencyMs.isFinite {
            if let current = slowestByItem[result.itemID],
                (current.latencyMs, -current.repeatIndex) >= (result.latencyMs, -result.repeatIndex)
            {
                continue
            }
            slowestByItem[result.itemID] = result
        }
        return slowestByItem.values
            .sorted { ($0.latencyMs, $1.itemID) > ($1.latencyMs, $0.itemID) }
            .prefix(slowestLimit)
            .map {
                SlowItem(
                    itemID: $0.itemID, latencyMs: $0.latencyMs, repeatIndex: $0.repeatIndex, status: $0.status,
                    errorCode: $0.errorCode)
            }
    }
}
