import PillarCore

/// One run's scores regrouped per item and metric: the values of every repeat that produced one.
struct RepeatValues: Sendable {
    /// Item id → metric name → the repeats' non-nil, finite values, in repeat order.
    private var values: [String: [String: [Double]]] = [:]
    /// Every item id the run has a result for, scored or not.
    let answeredItems: Set<String>

    init(results: [EvalResult]) {
        answeredItems = Set(results.map(\.itemID))
        for result in results.sorted(by: { ($0.itemID, $0.repeatIndex) < ($1.itemID, $1.repeatIndex) }) {
            for (metric, score) in result.scores {
                // A NaN or infinite score would poison every mean and interval built on it.
                guard let value = score.value, value.isFinite else { continue }
                values[result.itemID, default: [:]][metric, default: []].append(value)
            }
        }
    }

    func repeats(item: String, metric: String) -> [Double] {
        values[item]?[metric] ?? []
    }

    /// The item's value for the metric: the mean over its repeats; nil when no repeat has one.
    func itemMean(item: String, metric: String) -> Double? {
        Descriptive.mean(repeats(item: item, metric: metric))
    }
}
