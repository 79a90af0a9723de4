/// Writes the visible text of an HTML document the way a browser lays it out as plain text:
/// whitespace collapses to one space outside `<pre>`, block elements become line or paragraph
/// breaks, and headings open sections.
struct HTMLTextWriter {
    private(set) var builder = SectionedTextBuilder()
    var preformatted = false
    private var pendingBreaks = 0
    private var pendingSpace = false
    private var trailingNewlines = 0
    private var lineHasContent = false
    /// Set by a heading start tag: the section opens at the heading's first visible character, after
    /// the paragraph break that precedes it, so the break stays with the previous section.
    private var sectionStartsAtNextText = false
    private(set) var openedHeadingSection = false

    mutating func write(_ scalar: Unicode.Scalar) {
        if !preformatted && Self.isCollapsible(scalar) {
            if lineHasContent { pendingSpace = true }
            return
        }
        flushPendingWhitespace()
        if sectionStartsAtNextText {
            builder.startSection([])
            sectionStartsAtNextText = false
            openedHeadingSection = true
        }
        builder.append(scalar)
        if scalar == "\n" {
            trailingNewlines += 1
            lineHasContent = false
        } else {
            trailingNewlines = 0
            lineHasContent = true
        }
    }

    mutating func write(_ text: String) {
        for scalar in text.unicodeScalars { write(scalar) }
    }

    /// Asks for `count` line breaks (1: new line, 2: new paragraph) before the next text. Several
    /// requests in a row merge, so nested blocks do not stack up blank lines.
    mutating func breakLine(_ count: Int) {
        pendingBreaks = max(pendingBreaks, count)
        pendingSpace = false
    }

    /// A `<br>` always adds a line, so `<br><br>` makes a blank line.
    mutating func forcedLineBreak() {
        pendingBreaks = min(max(pendingBreaks, trailingNewlines) + 1, 2)
        pendingSpace = false
    }

    /// Separates table cells on one line.
    mutating func cellSeparator() {
        if lineHasContent && pendingBreaks == 0 {
            flushPendingWhitespace()
            for scalar in " | ".unicodeScalars { builder.append(scalar) }
            pendingSpace = false
        }
    }

    mutating func beginHeadingSection() {
        breakLine(2)
        sectionStartsAtNextText = true
        openedHeadingSection = false
    }

    /// Names the section the current heading opened, once its text is known.
    mutating func endHeadingSection(path: [String]) {
        if openedHeadingSection { builder.renameOpenSection(path) }
        sectionStartsAtNextText = false
        openedHeadingSection = false
    }

    mutating func finish(title: String?) throws(LoadingError) -> LoadedDocument {
        try builder.build(title: title)
    }

    private mutating func flushPendingWhitespace() {
        if builder.scalarCount > 0 {
            let newlines = pendingBreaks - trailingNewlines
            if newlines > 0 {
                for _ in 0..<newlines { builder.append("\n" as Unicode.Scalar) }
                trailingNewlines += newlines
                lineHasContent = false
                pendingSpace = false
            }
            if pendingSpace && lineHasContent { builder.append(" " as Unicode.Scalar) }
        }
        pendingBreaks = 0
        pendingSpace = false
    }

    static func isCollapsible(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r" || scalar == "\u{0C}"
    }
}
