/// Markdown keeps its source text (the chunks a chat cites should read like the file) and gets its
/// sections from ATX headings. Setext headings (`===` underlines) are not recognised.
enum MarkdownLoader {
    static func load(_ source: String) throws(LoadingError) -> LoadedDocument {
        let (frontMatterTitle, text) = splitFrontMatter(source)
        guard !TextDecoding.isBlank(text) else { throw .empty }

        var sections: [Section] = []
        var open: (path: [String], start: Int) = ([], 0)
        var headingStack: [(level: Int, title: String)] = []
        var firstH1: String?
        var fence = CodeFence.Tracker()
        var offset = 0
        for line in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            let lineStart = offset
            offset += line.count + 1
            let lineText = Substring(line)
            if fence.consume(lineText) { continue }
            guard let heading = atxHeading(lineText) else { continue }
            if heading.level == 1, firstH1 == nil { firstH1 = heading.title }
            headingStack.removeAll { $0.level >= heading.level }
            headingStack.append(heading)
            if lineStart > open.start {
                sections.append(Section(headingPath: open.path, range: open.start..<lineStart))
            }
            open = (headingStack.map(\.title), lineStart)
        }
        let end = text.unicodeScalars.count
        if end > open.start { sections.append(Section(headingPath: open.path, range: open.start..<end)) }
        return LoadedDocument(title: frontMatterTitle ?? firstH1, text: text, sections: sections)
    }

    /// Parses an ATX heading line (`## Title ##`): up to three spaces of indent, one to six `#`, then
    /// a space or the end of the line. Headings with no text are ignored: they name nothing.
    static func atxHeading(_ line: Substring) -> (level: Int, title: String)? {
        let indent = line.prefix { $0 == " " }.count
        guard indent <= 3 else { return nil }
        let afterIndent = line.dropFirst(indent)
        let level = afterIndent.prefix { $0 == "#" }.count
        guard (1...6).contains(level) else { return nil }
        var rest = afterIndent.dropFirst(level)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        rest = trimmed(rest)
        // An optional closing run of `#` must be preceded by a space (or be all there is).
        let closing = rest.reversed().prefix { $0 == "#" }.count
        if closing > 0 {
            let beforeClosing = rest.dropLast(closing)
            if beforeClosing.isEmpty || beforeClosing.last == " " || beforeClosing.last == "\t" {
                rest = trimmed(beforeClosing)
            }
        }
        // A heading names a section; past a few hundred characters it is not a name any more.
        let title = plainInline(rest.prefix(300))
        return title.isEmpty ? nil : (level, title)
    }

    /// Strips the inline markup that would clutter a heading path: code ticks, emphasis stars, and
    /// link or image syntax (`[text](url)` becomes `text`). Linear: the next `]` and `)` after each place are
    /// found once, so a title of many `[` does not scan its rest again for each of them.
    static func plainInline(_ text: Substring) -> String {
        let characters = Array(text)
        let end = characters.count
        var nextClose = [Int](repeating: end, count: end + 1)
        var nextParen = [Int](repeating: end, count: end + 1)
        for position in stride(from: end - 1, through: 0, by: -1) {
            nextClose[position] = characters[position] == "]" ? position : nextClose[position + 1]
            nextParen[position] = characters[position] == ")" ? position : nextParen[position + 1]
        }
        var out = ""
        var index = 0
        while index < end {
            let character = characters[index]
            let close = nextClose[index]
            if character == "[", close + 1 < end, characters[close + 1] == "(", nextParen[close] < end {
                out += String(characters[(index + 1)..<close])
                index = nextParen[close] + 1
                continue
            }
            if character != "`" && character != "*" && !(character == "!" && index + 1 < end && characters[index + 1] == "[") {
                out.append(character)
            }
            index += 1
        }
        return String(trimmed(Substring(out)))
    }

    /// Removes a leading YAML front matter block (`---` … `---` or `...`) and returns its `title:`.
    /// An unclosed block is not front matter and stays in the text.
    static func splitFrontMatter(_ text: String) -> (title: String?, body: String) {
        guard text.hasPrefix("---\n") else { return (nil, text) }
        var title: String?
        var consumed = 4
        for line in text.utf8.dropFirst(4).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            consumed += line.count + 1
            let lineText = String(decoding: line, as: UTF8.self)
            if lineText == "---" || lineText == "..." {
                let body = String(decoding: text.utf8.dropFirst(min(consumed, text.utf8.count)), as: UTF8.self)
                return (title, body)
            }
            if title == nil, lineText.hasPrefix("title:") {
                let value = trimmed(lineText.dropFirst(6))
                let unquoted =
                    value.count >= 2 && (value.first == "\"" || value.first == "'") && value.last == value.first
                    ? value.dropFirst().dropLast() : value
                title = unquoted.isEmpty ? nil : String(unquoted)
            }
        }
        return (nil, text)
    }

    static func trimmed(_ text: Substring) -> Substring {
        let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
        let end = text[start...].lastIndex { !$0.isWhitespace }.map { text.index(after: $0) } ?? start
        return text[start..<end]
    }
}

/// Fenced code blocks (``` or ~~~), whose lines may start with `#` without being headings.
enum CodeFence {
    struct Tracker {
        private var open: (marker: Character, length: Int)?

        /// Feeds one line; returns true when the line is part of a fence (its opening, body or close).
        mutating func consume(_ line: Substring) -> Bool {
            let indent = line.prefix { $0 == " " }.count
            let body = line.dropFirst(indent)
            if let current = open {
                let run = body.prefix { $0 == current.marker }.count
                if indent <= 3, run >= current.length, body.dropFirst(run).allSatisfy(\.isWhitespace) { open = nil }
                return true
            }
            guard indent <= 3, let marker = body.first, marker == "`" || marker == "~" else { return false }
            let run = body.prefix { $0 == marker }.count
            guard run >= 3 else { return false }
            // A backtick fence's info string cannot contain backticks (that is inline code).
            if marker == "`", body.dropFirst(run).contains("`") { return false }
            open = (marker, run)
            return true
        }
    }
}
