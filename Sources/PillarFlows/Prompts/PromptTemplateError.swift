/// Problems found in a prompt template, when it is saved or rendered.
///
/// `line` and `column` are 1-based positions in the template source. A problem that is
/// about the declared variables or the supplied values rather than a place in the
/// source (an unused declaration, a bad name, a missing value) has line 0 and column 0.
public struct PromptTemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String

        public init(line: Int, column: Int, message: String) {
            self.line = line
            self.column = column
            self.message = message
        }

        public var description: String {
            line > 0 ? "\(line):\(column): \(message)" : message
        }
    }

    public var problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
