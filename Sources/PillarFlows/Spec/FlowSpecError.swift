/// One problem found while loading a flow.
public struct FlowSpecIssue: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column (0 when unknown).
    public var column: Int
    public var message: String

    public init(line: Int, column: Int = 0, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 12: node 'answer' references unknown node 'retreive'`
    public var description: String { "line \(line): \(message)" }
}

/// Every problem found in a flow document, sorted by line.
public struct FlowSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [FlowSpecIssue]

    public init(issues: [FlowSpecIssue]) {
        self.issues = issues.enumerated()
            .sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
            .map(\.element)
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
