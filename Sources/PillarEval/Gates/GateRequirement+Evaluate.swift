import PillarCore

extension GateRequirement {
    /// Checks every clause against the comparison. A clause whose metric has no value (no item scored, no
    /// pair for a p-value) fails and says so. Throws `unknown_metric` when a clause names a metric the
    /// comparison does not have.
    public func evaluate(_ comparison: EvalComparison) throws(GateError) -> GateVerdict {
        let known = comparison.metrics.map(\.name)
        for clause in clauses {
            for name in Self.metrics(of: clause.condition) where comparison.metric(name) == nil {
                throw .unknownMetric(name, clause: clause.text, position: clause.position, known: known)
            }
        }
        let tested = thresholdMetrics.compactMap(comparison.metric)
        let results = clauses.map { clause in
            switch clause.condition {
            case .threshold(let metric, let comparisonOperator, let target):
                threshold(clause, metric: comparison.metric(metric), comparisonOperator: comparisonOperator, target: target)
            case .significantOverall(let alpha):
                GateSignificance.overall(clause, metrics: tested, alpha: alpha)
            case .significantlyBetter(let metric, let alpha):
                GateSignificance.single(clause, metric: comparison.metric(metric), alpha: alpha)
            }
        }
        // A run that did not complete covers only part of the dataset: its numbers never let a version through.
        let finished = [comparison.baseline, comparison.candidate].allSatisfy {
            $0.status == EvalRunRecord.Status.completed.rawValue
        }
        return GateVerdict(
            passed: finished && results.allSatisfy(\.passed), clauses: results,
            warnings: warnings(comparison, testedByOverall: tested.map(\.name)))
    }

    private static func metrics(of condition: Condition) -> [String] {
        switch condition {
        case .threshold(let metric, _, _), .significantlyBetter(let metric, _): [metric]
        case .significantOverall: []
        }
    }

    private func threshold(
        _ clause: Clause, metric: EvalComparison.MetricComparison?, comparisonOperator: Operator,
        target: Target
    ) -> GateVerdict.ClauseResult {
        let name = metric?.name ?? ""
        let symbol = comparisonOperator.rawValue
        let candidate = metric?.candidateMean
        func result(required: String, requiredValue: Double?, passed: Bool, message: String) -> GateVerdict.ClauseResult {
            GateVerdict.ClauseResult(
                clause: clause.text, position: clause.position, metric: name, value: candidate,
                required: required, requiredValue: requiredValue, passed: passed, message: message)
        }
        let goal: Double
        let required: String
        var basis = ""
        switch target {
        case .absolute(let number):
            goal = number
            required = "\(symbol) \(DisplayNumber.format(number))"
        case .baseline(let offset):
            let written =
                offset == 0
                ? "baseline"
                : "baseline \(offset < 0 ? "-" : "+") \(DisplayNumber.format(abs(offset)))"
            guard let baseline = metric?.baselineMean else {
                return result(
                    required: "\(symbol) \(written)", requiredValue: nil, passed: false,
                    message: "\(name) has no value in the baseline run (no item was scored), so \(symbol) "
                        + "\(written) cannot be checked")
            }
            goal = baseline + offset
            basis =
                offset == 0
                ? " (the baseline's)"
                : " (baseline \(DisplayNumber.format(baseline)) \(offset < 0 ? "-" : "+") \(DisplayNumber.format(abs(offset))))"
            required = "\(symbol) \(DisplayNumber.format(goal))\(basis)"
        }
        guard let candidate else {
            return result(
                required: required, requiredValue: goal, passed: false,
                message: "\(name) has no value in the candidate run (no item was scored), so \(required) "
                    + "cannot be checked")
        }
        let holds = comparisonOperator.holds(candidate, goal)
        let shown =
            "\(name) \(DisplayNumber.format(candidate)) \(holds ? symbol : comparisonOperator.negation) "
            + DisplayNumber.format(goal)
        return result(
            required: required, requiredValue: goal, passed: holds,
            message: holds ? "\(shown) as required\(basis)" : "\(shown) required\(basis)")
    }

    private func warnings(_ comparison: EvalComparison, testedByOverall: [String]) -> [String] {
        var warnings: [String] = []
        var reliedOn: [(metric: String, positions: [Int])] = []
        for clause in clauses {
            let names: [String] =
                switch clause.condition {
                case .threshold(let metric, _, _), .significantlyBetter(let metric, _): [metric]
                case .significantOverall: testedByOverall
                }
            for name in names {
                if let index = reliedOn.firstIndex(where: { $0.metric == name }) {
                    if !reliedOn[index].positions.contains(clause.position) { reliedOn[index].positions.append(clause.position) }
                } else {
                    reliedOn.append((name, [clause.position]))
                }
            }
        }
        for (name, positions) in reliedOn {
            guard let judge = comparison.metric(name)?.judge, judge.flagged else { continue }
            let clauses = positions.map(String.init).joined(separator: ", ")
            warnings.append(
                "\(name) is scored by the judge \(judge.prompt), which agrees poorly with people "
                    + "(\(JudgeAgreement.describe(judge))); clause\(positions.count == 1 ? "" : "s") \(clauses) "
                    + "rel\(positions.count == 1 ? "ies" : "y") on it.")
        }
        for (role, run) in [("baseline", comparison.baseline), ("candidate", comparison.candidate)]
        where run.status != EvalRunRecord.Status.completed.rawValue {
            warnings.append(
                "The \(role) run \(run.id) is \(run.status), not completed: its numbers may not cover the whole dataset, so the gate cannot pass."
            )
        }
        if comparison.baseline.dataset != comparison.candidate.dataset {
            warnings.append(
                "The runs used different datasets (baseline \(comparison.baseline.dataset), candidate "
                    + "\(comparison.candidate.dataset)).")
        }
        return warnings
    }
}
