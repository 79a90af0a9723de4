import Mustache
import PillarCore

/// A prompt message template in Mustache, with declared variables checked when saved.
///
/// Prompts are plain text: values are inserted verbatim, never HTML-escaped. Partials,
/// inheritance (`{{< }}`, `{{$ }}`), pragmas and changes of delimiters are rejected.
public struct PromptTemplate: Sendable {
    public let source: String
    public let variables: [PromptVariable]
    /// The top-level names the template uses (outside any section, plus the section names themselves).
    public let usedNames: Set<String>
    private let template: MustacheTemplate

    /// Put in front of every source so swift-mustache renders it as text: its
    /// `CONTENT_TYPE` pragma switches the escaping to `TextContentType`, which escapes
    /// nothing. On a line of its own the pragma is standalone and renders nothing, not
    /// even its newline. Parser error lines are shifted back by one for it.
    static let textPragma = "{{% CONTENT_TYPE: TEXT }}\n"

    /// `requireAllUsed: false` is for one message of a prompt of several, where a variable may be used by
    /// another message (the prompt checks the union).
    public init(source: String, variables: [PromptVariable], requireAllUsed: Bool = true) throws(PromptTemplateError) {
        var problems: [PromptTemplateError.Problem] = []
        func problem(_ line: Int, _ column: Int, _ message: String) {
            problems.append(.init(line: line, column: column, message: message))
        }

        let size = source.utf8.count
        guard size <= PromptTemplateLimit.maximumBytes else {
            throw PromptTemplateError(
                problems: [
                    .init(
                        line: 0, column: 0,
                        message:
                            "the template is \(size) bytes; at most \(PromptTemplateLimit.maximumBytes) are allowed")
                ], limit: .tooLarge)
        }
        // Tags the scanner can see, and what we refuse.
        let scan = MustacheTagScanner.scan(source)
        if scan.maximumDepth > PromptTemplateLimit.maximumSectionDepth {
            let (line, column) = scan.deepestSection ?? (0, 0)
            throw PromptTemplateError(
                problems: [
                    .init(
                        line: line, column: column,
                        message:
                            "sections are nested \(scan.maximumDepth) deep; at most \(PromptTemplateLimit.maximumSectionDepth) are allowed"
                    )
                ],
                limit: .tooDeep)
        }
        for tag in scan.tags {
            switch tag.kind {
            case .partial:
                problem(tag.line, tag.column, "partials are not supported")
            case .parent, .block:
                problem(tag.line, tag.column, "template inheritance is not supported")
            case .setDelimiter:
                problem(tag.line, tag.column, "changing delimiters is not supported")
            case .pragma:
                problem(tag.line, tag.column, "pragmas are not supported")
            default:
                break
            }
        }

        // swift-mustache's own parse; never after new delimiters, whose sections the scanner cannot count.
        var parsed: MustacheTemplate?
        if !scan.changesDelimiters {
            do {
                parsed = try MustacheTemplate(string: Self.textPragma + source)
            } catch let error as MustacheTemplate.ParserError {
                let line = max(1, error.context.lineNumber - 1)
                problem(line, max(1, error.context.columnNumber), Self.message(for: error.error))
            } catch {
                problem(1, 1, Self.message(for: error))
            }
        }
        if parsed == nil, let (line, column) = scan.unclosedTag {
            // The parser ran off the end; the scanner knows which tag was left open.
            problems.removeLast()
            problem(line, column, "tag is not closed")
        }

        // Names used at the top level must be declared.
        let declared = Set(variables.map(\.name))
        var used: Set<String> = []
        var firstUse: [String: MustacheTag] = [:]
        for tag in scan.tags where tag.depth == 0 {
            switch tag.kind {
            case .variable, .unescapedVariable, .section, .invertedSection:
                guard let name = tag.topLevelName else {
                    if tag.kind == .variable || tag.kind == .unescapedVariable {
                        problem(tag.line, tag.column, "'{{.}}' can only be used inside a section")
                    }
                    continue
                }
                if used.insert(name).inserted { firstUse[name] = tag }
            default:
                break
            }
        }
        if !scan.stoppedEarly {
            for name in used.sorted() where !declared.contains(name) {
                let tag = firstUse[name]!
                problem(tag.line, tag.column, "variable '\(name)' is used but not declared")
            }
        }
        problems.sort { ($0.line, $0.column) < ($1.line, $1.column) }

        // The declarations themselves.
        var seen: Set<String> = []
        for variable in variables {
            if !PromptVariable.isValidName(variable.name) {
                problem(0, 0, "invalid variable name '\(variable.name)': must match [A-Za-z_][A-Za-z0-9_]{0,63}")
            }
            if !seen.insert(variable.name).inserted {
                problem(0, 0, "variable '\(variable.name)' is declared more than once")
            } else if requireAllUsed && !scan.stoppedEarly && !used.contains(variable.name) {
                problem(0, 0, "variable '\(variable.name)' is declared but never used")
            }
        }

        guard problems.isEmpty, let parsed else { throw PromptTemplateError(problems: problems) }
        self.source = source
        self.variables = variables
        self.usedNames = used
        self.template = parsed
    }

    /// Renders the template. Values for undeclared names are ignored; `null` counts as missing.
    public func render(_ values: [String: JSONValue]) throws(PromptTemplateError) -> String {
        let missing = variables.filter { variable in
            guard variable.required else { return false }
            switch values[variable.name] {
            case nil, .null?: return true
            default: return false
            }
        }
        if !missing.isEmpty {
            throw PromptTemplateError(
                problems: missing.map {
                    .init(line: 0, column: 0, message: "missing value for required variable '\($0.name)'")
                })
        }
        var context = PromptValueConversion.context(values)
        // Only declared names reach the template, so an extra key cannot fill a name the
        // template reads from an enclosing scope.
        for key in context.keys where !usedNames.contains(key) {
            context[key] = nil
        }
        return template.render(context)
    }

    static func message(for error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else {
            let text = String(describing: error)
            return text == "overflow" ? "unexpected end of template" : "template does not parse: \(text)"
        }
        switch error {
        case .sectionCloseNameIncorrect: return "section closed with the wrong name"
        case .unfinishedName: return "tag is not closed or its name is malformed"
        case .expectedSectionEnd: return "section is never closed"
        case .invalidSetDelimiter: return "malformed set-delimiter tag"
        case .transformAppliedToInheritanceSection: return "transform applied to an inheritance section"
        case .illegalTokenInsideInheritSection: return "illegal tag inside an inheritance section"
        case .textInsideInheritSection: return "text inside an inheritance section"
        case .invalidConfigVariableSyntax: return "malformed pragma"
        case .unrecognisedConfigVariable: return "unrecognised pragma"
        @unknown default: return "template does not parse: \(error)"
        }
    }
}
