/// One thing wrong with an imported dataset, where it is.
public struct DatasetProblem: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based physical line (for a CSV record, its first line); nil when the problem is the whole input.
    public var line: Int?
    /// The JSONL key or CSV column at fault, when there is one.
    public var field: String?
    /// A sentence naming the field, e.g. `expected_facts must be an array of strings`.
    public var message: String

    public init(line: Int?, field: String?, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        guard let line else { return message }
        return "line \(line): \(message)"
    }
}

/// Why a dataset was refused. An import is all or nothing, so this lists every problem found (the first
/// `maximumReported`, in line order) rather than stopping at the first.
public struct DatasetImportError: Error, Sendable, Hashable, CustomStringConvertible {
    public static let maximumReported = 50

    /// The problems, in line order (whole-input problems first), at most `maximumReported`.
    public let problems: [DatasetProblem]
    /// How many problems were found in all, reported or not.
    public let problemCount: Int

    public init(problems: [DatasetProblem], problemCount: Int) {
        self.problems = problems
        self.problemCount = problemCount
    }

    /// The machine-readable code clients switch on.
    public var code: String { "invalid_dataset" }

    /// One problem a line, and how many were left out.
    public var message: String {
        var lines = problems.map(\.description)
        if problemCount > problems.count {
            lines.append("(\(problemCount - problems.count) more problems not shown)")
        }
        return lines.joined(separator: "\n")
    }

    public var description: String { message }
}
