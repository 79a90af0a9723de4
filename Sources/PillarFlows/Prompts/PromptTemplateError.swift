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
    /// Set when the template was refused for its size or depth before it was parsed at all.
    public var limit: PromptTemplateLimit?

    public init(problems: [Problem], limit: PromptTemplateLimit? = nil) {
        self.problems = problems
        self.limit = limit
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
