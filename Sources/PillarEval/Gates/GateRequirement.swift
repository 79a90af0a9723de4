/// What a candidate run must show against its baseline to be released, read from text such as
/// `groundedness>=4.0; citations_recall>=baseline-0.02; p<0.05`.
///
/// Clauses are separated by `;` (empty ones are skipped; positions count them all), and whitespace
/// between tokens is free. Each clause is one of:
/// - `METRIC OP NUMBER`: the candidate's mean of the metric compared with the number;
/// - `METRIC OP baseline`, `METRIC OP baseline+N`, `METRIC OP baseline-N`: the candidate's mean compared
///   with the baseline's mean plus or minus N;
/// - `p<ALPHA`: the candidate is better than the baseline (by each metric's direction) with p < ALPHA on
///   at least one metric named by the requirement's other clauses, and significantly worse (p < ALPHA)
///   on none of them; a requirement with no metric clause cannot use it;
/// - `p(METRIC)<ALPHA`: the candidate is better on that metric with p < ALPHA.
///
/// OP is one of `>=`, `<=`, `>`, `<`, `==`; comparisons allow a relative error of 1e-9, so that
/// `baseline-0.02` admits a mean exactly 0.02 below. METRIC is `[A-Za-z0-9_@.-]+` (`hit@5`), NUMBER a
/// decimal such as `4`, `-0.5` or `1e-3`, ALPHA a number in (0, 1]. p-values are the comparison's
/// two-sided paired permutation p-values. At most `clauseLimit` clauses and `characterLimit` characters.
public struct GateRequirement: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case atLeast = ">="
        case atMost = "<="
        case greater = ">"
        case less = "<"
        case equal = "=="

        /// The operator that holds exactly when this one does not, for "3.2 < 4.0 required".
        var negation: String {
            switch self {
            case .atLeast: "<"
            case .atMost: ">"
            case .greater: "<="
            case .less: ">="
            case .equal: "!="
            }
        }

        func holds(_ value: Double, _ target: Double) -> Bool {
            let tolerance = 1e-9 * max(1, abs(target))
            switch self {
            case .atLeast: return value >= target - tolerance
            case .atMost: return value <= target + tolerance
            case .greater: return value > target + tolerance
            case .less: return value < target - tolerance
            case .equal: return abs(value - target) <= tolerance
            }
        }
    }

    public enum Target: Sendable, Hashable {
        case absolute(Double)
        /// The baseline's mean plus this (negative for `baseline-N`).
        case baseline(offset: Double)
    }

    public enum Condition: Sendable, Hashable {
        case threshold(metric: String, operator: Operator, target: Target)
        /// `p<ALPHA`.
        case significantOverall(alpha: Double)
        /// `p(METRIC)<ALPHA`.
        case significantlyBetter(metric: String, alpha: Double)
    }

    public struct Clause: Sendable, Hashable {
        /// As written, without surrounding whitespace.
        public var text: String
        /// 1-based among the `;`-separated pieces of the requirement.
        public var position: Int
        public var condition: Condition
    }

    public static let clauseLimit = 64
    public static let characterLimit = 4096

    public var clauses: [Clause]

    /// The metrics the threshold clauses name, in order, each once: what `p<ALPHA` tests.
    public var thresholdMetrics: [String] {
        var names: [String] = []
        for clause in clauses {
            if case .threshold(let metric, _, _) = clause.condition, !names.contains(metric) { names.append(metric) }
        }
        return names
    }

    /// Reads a requirement (see the type's documentation for the grammar).
    public static func parse(_ text: String) throws(GateError) -> GateRequirement {
        guard text.count <= characterLimit else {
            throw .invalidRequirement("the requirement has \(text.count) characters; at most \(characterLimit) are allowed")
        }
        var clauses: [Clause] = []
        for (index, piece) in text.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            let clause = String(piece.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            guard !clause.isEmpty else { continue }
            guard clauses.count < clauseLimit else {
                throw .invalidRequirement("the requirement has more than \(clauseLimit) clauses")
            }
            var parser = GateClauseParser(clause: clause, position: index + 1)
            let condition = try parser.parse()
            clauses.append(Clause(text: clause, position: index + 1, condition: condition))
        }
        guard !clauses.isEmpty else {
            throw .invalidRequirement("the requirement is empty; expected clauses such as `groundedness>=4.0; p<0.05`")
        }
        let requirement = GateRequirement(clauses: clauses)
        if requirement.thresholdMetrics.isEmpty,
            let overall = clauses.first(where: { if case .significantOverall = $0.condition { true } else { false } })
        {
            throw .invalidRequirement(
                clause: overall.text, position: overall.position,
                expected: "a metric clause for it to test alongside (or a named metric: `p(groundedness)<0.05`)")
        }
        return requirement
    }
}
