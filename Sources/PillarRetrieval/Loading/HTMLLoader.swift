/// Extracts the visible text of an HTML page with a small tolerant tokenizer (no DOM, no libxml).
/// It never backtracks: every construct that is not closed (a comment, a tag, a quoted attribute,
/// a script) runs to the end of the input, as in a browser, so the scan is linear on any input.
struct HTMLLoader {
    private let input: [Unicode.Scalar]
    private var position = 0
    private var writer = HTMLTextWriter()
    private var documentTitle: String?
    private var firstH1: String?
    private var svgDepth = 0
    /// The heading being read: its level and its first `maximumHeadingLength` scalars of text.
    private var openHeading: (level: Int, text: String.UnicodeScalarView, length: Int)?
    private static let maximumHeadingLength = 300
    private var headingStack: [(level: Int, title: String)] = []

    static func load(_ source: String) throws(LoadingError) -> LoadedDocument {
        var loader = HTMLLoader(input: Array(source.unicodeScalars))
        return try loader.run()
    }

    private init(input: [Unicode.Scalar]) {
        self.input = input
    }

    private mutating func run() throws(LoadingError) -> LoadedDocument {
        while position < input.count {
            let scalar = input[position]
            if scalar == "<", consumeMarkup() { continue }
            if scalar == "&", let reference = HTMLEntities.decode(input, at: position) {
                emit(reference.text)
                position = reference.end
                continue
            }
            emit(scalar)
            position += 1
        }
        closeHeading()
        return try writer.finish(title: documentTitle ?? firstH1)
    }

    private mutating func emit(_ text: String) {
        for scalar in text.unicodeScalars { emit(scalar) }
    }

    private mutating func emit(_ scalar: Unicode.Scalar) {
        guard svgDepth == 0 else { return }  // SVG text is drawing labels, not prose
        writer.write(scalar)
        if openHeading != nil, openHeading!.length < Self.maximumHeadingLength {
            openHeading!.text.append(HTMLTextWriter.isCollapsible(scalar) ? " " : scalar)
            openHeading!.length += 1
        }
    }

    /// Consumes the markup that starts at `<`; returns false when the `<` is literal text.
    private mutating func consumeMarkup() -> Bool {
        let next = position + 1 < input.count ? input[position + 1] : " "
        if next == "!" {
            if matches("<!--", at: position) {
                position = indexAfter("-->", from: position + 4)
            } else {
                position = indexAfter(">", from: position + 2)  // doctype, CDATA and other declarations
            }
            return true
        }
        if next == "?" {
            position = indexAfter(">", from: position + 2)
            return true
        }
        if next == "/" {
            guard position + 2 < input.count else { return false }
            let nameStart = position + 2
            if isASCIILetter(input[nameStart]) {
                let name = tagName(from: nameStart)
                position = indexAfter(">", from: nameStart)
                handleEndTag(name)
            } else {
                position = indexAfter(">", from: nameStart)  // `</>` and `</3` are dropped, as browsers do
            }
            return true
        }
        guard isASCIILetter(next) else { return false }
        let name = tagName(from: position + 1)
        position = endOfStartTag(from: position + 1 + name.unicodeScalars.count)
        handleStartTag(name)
        return true
    }

    private mutating func handleStartTag(_ name: String) {
        if let level = Self.headingLevel(name) {
            closeHeading()
            writer.beginHeadingSection()
            openHeading = (level, String.UnicodeScalarView(), 0)
            return
        }
        if Self.paragraphBlocks.contains(name) { closeHeading() }  // a heading left open ends at the next block
        switch name {
        case "script", "style", "noscript", "template", "iframe", "noembed", "noframes", "xmp", "object":
            position = indexAfterEndTag(of: name)
        case "title":
            let end = indexOfEndTag(of: name)
            if svgDepth == 0, documentTitle == nil {
                let title = Self.collapseWhitespace(Self.decodeText(input[position..<end]))
                documentTitle = title.isEmpty ? nil : title
            }
            position = indexAfterEndTag(of: name)
        case "svg": svgDepth += 1
        case "br": writer.forcedLineBreak()
        case "td", "th": writer.cellSeparator()
        case "pre", "listing", "textarea":
            writer.breakLine(2)
            writer.preformatted = true
            if position < input.count, input[position] == "\n" { position += 1 }  // HTML drops a newline right after <pre>
        default:
            if Self.paragraphBlocks.contains(name) {
                writer.breakLine(2)
            } else if Self.lineBlocks.contains(name) {
                writer.breakLine(1)
            }
        }
    }

    private mutating func handleEndTag(_ name: String) {
        if Self.headingLevel(name) != nil {
            closeHeading()
            writer.breakLine(2)
            return
        }
        switch name {
        case "svg": svgDepth = max(0, svgDepth - 1)
        case "br": writer.forcedLineBreak()  // browsers treat a stray </br> as <br>
        case "pre", "listing", "textarea":
            writer.preformatted = false
            writer.breakLine(2)
        default:
            if Self.paragraphBlocks.contains(name) {
                writer.breakLine(2)
            } else if Self.lineBlocks.contains(name) {
                writer.breakLine(1)
            }
        }
    }

    private mutating func closeHeading() {
        guard let heading = openHeading else { return }
        openHeading = nil
        let title = Self.collapseWhitespace(String(heading.text))
        guard !title.isEmpty else {
            writer.endHeadingSection(path: headingStack.map(\.title))
            return
        }
        if heading.level == 1, firstH1 == nil { firstH1 = title }
        headingStack.removeAll { $0.level >= heading.level }
        headingStack.append((heading.level, title))
        writer.endHeadingSection(path: headingStack.map(\.title))
    }

    // MARK: Scanning

    private func tagName(from start: Int) -> String {
        var end = start
        while end < input.count, !HTMLTextWriter.isCollapsible(input[end]), input[end] != "/", input[end] != ">" { end += 1 }
        return String(String.UnicodeScalarView(input[start..<end])).lowercased()
    }

    /// Skips attributes to the `>` that ends the tag; a `>` inside a quoted value does not end it.
    private func endOfStartTag(from start: Int) -> Int {
        var index = start
        while index < input.count {
            let scalar = input[index]
            if scalar == ">" { return index + 1 }
            index += 1
            guard scalar == "=" else { continue }
            while index < input.count, HTMLTextWriter.isCollapsible(input[index]) { index += 1 }
            guard index < input.count, input[index] == "\"" || input[index] == "'" else { continue }
            let quote = input[index]
            index += 1
            while index < input.count, input[index] != quote { index += 1 }
            index += 1
        }
        return input.count
    }

    private func matches(_ literal: String, at index: Int) -> Bool {
        var i = index
        for scalar in literal.unicodeScalars {
            guard i < input.count, Self.asciiLowercase(input[i]) == scalar else { return false }
            i += 1
        }
        return true
    }

    /// The index just past the next occurrence of `literal` (ASCII, case-insensitive), or the end.
    private func indexAfter(_ literal: String, from start: Int) -> Int {
        let first = literal.unicodeScalars.first!
        var index = start
        while index < input.count {
            if Self.asciiLowercase(input[index]) == first, matches(literal, at: index) {
                return index + literal.unicodeScalars.count
            }
            index += 1
        }
        return input.count
    }

    /// Where raw text (script, style, title…) ends: at `</name`, or at the end of the input.
    private func indexOfEndTag(of name: String) -> Int {
        let closing = "</" + name
        var index = position
        while index < input.count {
            if input[index] == "<", matches(closing, at: index) {
                let after = index + closing.unicodeScalars.count
                if after >= input.count || HTMLTextWriter.isCollapsible(input[after]) || input[after] == ">"
                    || input[after] == "/"
                {
                    return index
                }
            }
            index += 1
        }
        return input.count
    }

    private func indexAfterEndTag(of name: String) -> Int {
        let end = indexOfEndTag(of: name)
        return end < input.count ? indexAfter(">", from: end) : end
    }

    private func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value)
    }

    private static func asciiLowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 32)! : scalar
    }

    // MARK: Text helpers

    static func decodeText(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        let input = Array(scalars)
        var out = ""
        var index = 0
        while index < input.count {
            if input[index] == "&", let reference = HTMLEntities.decode(input, at: index) {
                out += reference.text
                index = reference.end
            } else {
                out.unicodeScalars.append(input[index])
                index += 1
            }
        }
        return out
    }

    static func collapseWhitespace(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func headingLevel(_ name: String) -> Int? {
        guard name.count == 2, name.first == "h", let digit = name.last?.wholeNumberValue, (1...6).contains(digit) else {
            return nil
        }
        return digit
    }

    static let paragraphBlocks: Set<String> = [
        "p", "section", "article", "header", "footer", "main", "nav", "aside", "blockquote", "ul", "ol", "dl",
        "table", "figure", "hr", "form", "fieldset", "details", "address", "hgroup", "body", "html", "center",
    ]
    static let lineBlocks: Set<String> = [
        "div", "li", "tr", "dt", "dd", "caption", "figcaption", "option", "summary", "legend", "thead", "tbody",
        "tfoot", "label", "menu", "dialog",
    ]
}
