/// A document reduced to plain text, with the structure that chunking must respect.
///
/// **Offsets are Unicode scalar offsets** into `text` (the positions of `text.unicodeScalars`),
/// the same unit as `TextChunk.range`. Scalars, not Characters, because they are stable (grapheme
/// rules change between Unicode versions), cheap to walk, and match code-point indexing in Python
/// (`text[start:end]`), where citations are most often resolved outside Swift.
///
/// Every loader returns sections that are sorted, do not overlap, and together cover all of `text`
/// (text before the first heading is a section with an empty heading path).
public struct LoadedDocument: Sendable, Equatable {
    public var title: String?
    public var text: String
    public var sections: [Section]

    public init(title: String? = nil, text: String, sections: [Section]) {
        self.title = title
        self.text = text
        self.sections = sections
    }

    /// The text at a range of Unicode scalar offsets, such as a `Section.range` or `TextChunk.range`.
    /// Walks from the start of the text, so it is O(offset): fine for one citation, not for a loop.
    public func text(in range: Range<Int>) -> Substring {
        let scalars = text.unicodeScalars
        let lower = scalars.index(scalars.startIndex, offsetBy: range.lowerBound, limitedBy: scalars.endIndex) ?? scalars.endIndex
        let upper = scalars.index(lower, offsetBy: range.count, limitedBy: scalars.endIndex) ?? scalars.endIndex
        return text[lower..<upper]
    }
}

/// A part of a document under one heading (or one record, row or page).
public struct Section: Sendable, Equatable {
    /// The headings above this part, outermost first: `["Install", "Linux"]`. Records, rows and
    /// pages use a one-element path such as `["record 3"]`, `["row 7"]` or `["page 2"]`.
    public var headingPath: [String]
    /// Unicode scalar offsets into `LoadedDocument.text`.
    public var range: Range<Int>

    public init(headingPath: [String], range: Range<Int>) {
        self.headingPath = headingPath
        self.range = range
    }
}
