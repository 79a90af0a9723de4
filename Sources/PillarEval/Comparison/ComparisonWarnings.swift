import PillarCore

/// The sentences a comparison opens with when its numbers need care.
enum ComparisonWarnings {
    /// How many item ids a warning lists before it says "and N more".
    static let listedItems = 5

    static func datasets(baseline: EvalRunRecord, candidate: EvalRunRecord) -> [String] {
        guard
            baseline.spec.dataset != candidate.spec.dataset
                || baseline.spec.datasetVersion != candidate.spec.datasetVersion
        else { return [] }
        let base = EvalComparison.RunSummary.datasetReference(baseline.spec)
        let cand = EvalComparison.RunSummary.datasetReference(candidate.spec)
        return [
            "The runs used different datasets: the baseline \(base), the candidate \(cand); only items "
                + "both answered are paired."
        ]
    }

    static func unfinished(role: String, record: EvalRunRecord) -> [String] {
        guard record.status != .completed else { return [] }
        return [
            "The \(role) run \(record.id) is \(record.status.rawValue), not completed: it has \(record.done) "
                + "of \(record.total) answers."
        ]
    }

    static func oneSided(baselineOnly: [String], candidateOnly: [String]) -> [String] {
        guard !baselineOnly.isEmpty || !candidateOnly.isEmpty else { return [] }
        var parts: [String] = []
        if !baselineOnly.isEmpty { parts.append("only the baseline: \(listing(baselineOnly))") }
        if !candidateOnly.isEmpty { parts.append("only the candidate: \(listing(candidateOnly))") }
        let count = baselineOnly.count + candidateOnly.count
        return [
            "\(count) item\(count == 1 ? " was" : "s were") answered by one run only (\(parts.joined(separator: "; "))); "
                + "they are left out of the paired differences."
        ]
    }

    static func flaggedJudges(_ judges: [String: EvalComparison.JudgeReliability]) -> [String] {
        judges.sorted { $0.key < $1.key }.compactMap { metric, judge in
            guard judge.flagged else { return nil }
            return "The judge \(judge.prompt) scoring \(metric) agrees poorly with people: \(JudgeAgreement.describe(judge))."
        }
    }

    private static func listing(_ ids: [String]) -> String {
        let shown = ids.prefix(listedItems).joined(separator: ", ")
        return ids.count > listedItems ? "\(shown) and \(ids.count - listedItems) more" : shown
    }
}
