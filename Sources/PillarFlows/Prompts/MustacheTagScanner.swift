/// One Mustache tag found in a template source, with its position.
struct MustacheTag: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case variable, unescapedVariable, section, invertedSection, sectionEnd
        case comment, partial, parent, block, setDelimiter, pragma
    }

    var kind: Kind
    /// The tag's content without its sigil, trimmed of whitespace.
    var content: String
    var line: Int
    var column: Int
    /// Number of sections enclosing the tag (a section's own opening and closing tags are at the outer depth).
    var depth: Int

    /// The name the tag refers to with transforms stripped: `{{lowercased(a.b)}}` gives `a.b`.
    var name: String {
        var text = Substring(content)
        if let open = text.lastIndex(of: "(") {
            text = text[text.index(after: open)...]
            if let close = text.firstIndex(of: ")") { text = text[..<close] }
        }
        return String(text)
    }

    /// The top-level key the name looks up: `a.b` gives `a`; `.` (the current item) gives nil.
    var topLevelName: String? {
        let name = self.name
        if name == "." { return nil }
        if let dot = name.firstIndex(of: "."), dot != name.startIndex {
            return String(name[..<dot])
        }
        return name
    }
}

/// A small scanner of Mustache tags with the default `{{ }}` delimiters. It does not
/// render or fully validate (swift-mustache's parser does that); it finds the names a
/// template uses and where, tracking section depth and line/column (both 1-based,
/// columns counted in Characters).
enum MustacheTagScanner {
    struct Result: Sendable {
        var tags: [MustacheTag]
        /// Set when scanning had to stop early (an unclosed tag or a change of delimiters),
        /// so `tags` may be incomplete.
        var stoppedEarly: Bool
        var unclosedTag: (line: Int, column: Int)?
        /// The most sections open at once: how deep swift-mustache's recursive parser will go.
        var maximumDepth = 0
        /// Where that depth was first reached.
        var deepestSection: (line: Int, column: Int)?
        /// Set when the template changes its delimiters: tags after that are invisible to this scanner.
        var changesDelimiters = false
    }

    static func scan(_ source: String) -> Result {
        let chars = Array(source)
        var tags: [MustacheTag] = []
        var sections: [String] = []
        var maximumDepth = 0
        var deepestSection: (line: Int, column: Int)?
        var index = 0
        var line = 1
        var column = 1

        func advance(to end: Int) {
            while index < end {
                if chars[index].isNewline {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                index += 1
            }
        }

        func find(_ needle: [Character], from start: Int) -> Int? {
            guard needle.count <= chars.count else { return nil }
            var position = start
            while position + needle.count <= chars.count {
                if chars[position] == needle[0], Array(chars[position..<position + needle.count]) == needle {
                    return position
                }
                position += 1
            }
            return nil
        }

        let open: [Character] = ["{", "{"]
        while let start = find(open, from: index) {
            advance(to: start)
            let tagLine = line
            let tagColumn = column
            let afterOpen = start + 2
            let triple = afterOpen < chars.count && chars[afterOpen] == "{"
            let closer: [Character] = triple ? ["}", "}", "}"] : ["}", "}"]
            let bodyStart = triple ? afterOpen + 1 : afterOpen
            guard let end = find(closer, from: bodyStart) else {
                return Result(
                    tags: tags, stoppedEarly: true, unclosedTag: (tagLine, tagColumn), maximumDepth: maximumDepth,
                    deepestSection: deepestSection)
            }
            let body = chars[bodyStart..<end]
            let kind: MustacheTag.Kind
            var content = body
            if triple {
                kind = .unescapedVariable
            } else {
                switch body.first {
                case "&": kind = .unescapedVariable
                case "#": kind = .section
                case "^": kind = .invertedSection
                case "/": kind = .sectionEnd
                case "!": kind = .comment
                case ">": kind = .partial
                case "<": kind = .parent
                case "$": kind = .block
                case "=": kind = .setDelimiter
                case "%": kind = .pragma
                default: kind = .variable
                }
                if kind != .variable { content = content.dropFirst() }
            }
            let text = String(content).trimmingWhitespace()
            var depth = sections.count
            switch kind {
            case .section, .invertedSection, .parent, .block:
                sections.append(text)
                if sections.count > maximumDepth {
                    maximumDepth = sections.count
                    deepestSection = (tagLine, tagColumn)
                }
            case .sectionEnd:
                if let last = sections.lastIndex(of: text) {
                    sections.removeSubrange(last...)
                } else if !sections.isEmpty {
                    sections.removeLast()
                }
                depth = sections.count
            default:
                break
            }
            tags.append(MustacheTag(kind: kind, content: text, line: tagLine, column: tagColumn, depth: depth))
            advance(to: end + closer.count)
            if kind == .setDelimiter {
                return Result(
                    tags: tags, stoppedEarly: true, unclosedTag: nil, maximumDepth: maximumDepth,
                    deepestSection: deepestSection, changesDelimiters: true)
            }
        }
        return Result(
            tags: tags, stoppedEarly: false, unclosedTag: nil, maximumDepth: maximumDepth,
            deepestSection: deepestSection)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
