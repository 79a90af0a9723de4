/// Whether a candidate run passed its release gate, clause by clause, and what a reader should know before
/// relying on it.
public struct GateVerdict: Sendable, Hashable, Codable {
    public struct ClauseResult: Sendable, Hashable, Codable {
        /// As written: `groundedness>=4.0`.
        public var clause: String
        public var position: Int
        /// The metric the clause decided on (for `p<ALPHA`, the one that settled it; nil when none did).
        public var metric: String?
        /// What was found: the candidate's mean, or the p-value for a significance clause.
        public var value: Double?
        /// What was required, readably: `>= 4.0`, `>= 0.81 (baseline 0.83 - 0.02)`, `< 0.05`.
        public var required: String
        /// The number `value` was compared with (the threshold, the baseline-relative target or alpha).
        public var requiredValue: Double?
        public var passed: Bool
        /// One line: `groundedness 3.2 < 4.0 required`.
        public var message: String

        public init(
            clause: String, position: Int, metric: String?, value: Double?, required: String,
            requiredValue: Double?, passed: Bool, message: String
        ) {
            self.clause = clause
            self.position = position
            self.metric = metric
            self.value = value
            self.required = required
            self.requiredValue = requiredValue
            self.passed = passed
            self.message = message
        }

        enum CodingKeys: String, CodingKey {
            case clause, position, metric, value, required, passed, message
            case requiredValue = "required_value"
        }
    }

    /// True when every clause holds and both runs completed.
    public var passed: Bool
    public var clauses: [ClauseResult]
    /// Flagged judges the clauses rely on, unfinished runs, different datasets.
    public var warnings: [String]

    public init(passed: Bool, clauses: [ClauseResult], warnings: [String]) {
        self.passed = passed
        self.clauses = clauses
        self.warnings = warnings
    }

    /// Plain text over several lines: the outcome and why, each clause's message, then the warnings.
    public var summary: String {
        let failed = clauses.filter { !$0.passed }
        var lines: [String] = []
        if passed {
            lines.append("Gate passed: all \(clauses.count) clause\(clauses.count == 1 ? "" : "s") held.")
        } else if failed.isEmpty {
            lines.append("Gate failed: every clause held, but a run did not complete (see the warnings).")
        } else {
            lines.append("Gate failed: \(failed.count) of \(clauses.count) clause\(clauses.count == 1 ? "" : "s") did not hold.")
        }
        for clause in clauses {
            lines.append("  \(clause.passed ? "pass" : "FAIL")  \(clause.clause): \(clause.message)")
        }
        if !warnings.isEmpty {
            lines.append("Warnings:")
            lines.append(contentsOf: warnings.map { "  - \($0)" })
        }
        return lines.joined(separator: "\n")
    }
}
