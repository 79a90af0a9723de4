/// A stretch of the document text known both by String indices (to slice without walking) and by
/// Unicode scalar offsets (what chunks report). Segmentation walks the text forward once and
/// records both, so no offset is ever recomputed from the start of the text.
struct TextSpan {
    var lower: String.Index
    var upper: String.Index
    var start: Int
    var end: Int

    var isEmpty: Bool { start >= end }
}

/// A forward walk over Unicode scalars that knows its offset.
struct ScalarCursor {
    let scalars: String.UnicodeScalarView
    private(set) var index: String.Index
    private(set) var offset: Int
    let endIndex: String.Index

    init(_ scalars: String.UnicodeScalarView, over span: TextSpan) {
        self.scalars = scalars
        index = span.lower
        offset = span.start
        endIndex = span.upper
    }

    var isAtEnd: Bool { index >= endIndex }
    var current: Unicode.Scalar { scalars[index] }
    /// The scalar after the current one, if it is inside the span.
    var next: Unicode.Scalar? {
        let after = scalars.index(after: index)
        return after < endIndex ? scalars[after] : nil
    }

    mutating func advance() {
        scalars.formIndex(after: &index)
        offset += 1
    }

    func span(to other: ScalarCursor) -> TextSpan {
        TextSpan(lower: index, upper: other.index, start: offset, end: other.offset)
    }
}

/// Turns Unicode scalar offsets into String indices for offsets that mostly increase (section
/// starts and ends in order), walking from the last answer instead of from the start of the text.
struct ScalarIndexLocator {
    private let scalars: String.UnicodeScalarView
    private var index: String.Index
    private var offset = 0

    init(_ text: String) {
        scalars = text.unicodeScalars
        index = scalars.startIndex
    }

    mutating func index(at target: Int) -> String.Index {
        if target < offset {
            index = scalars.startIndex
            offset = 0
        }
        while offset < target, index < scalars.endIndex {
            scalars.formIndex(after: &index)
            offset += 1
        }
        return index
    }
}

extension Unicode.Scalar {
    var isWhitespaceForSegmentation: Bool {
        value == 0x20 || value == 0x0A || value == 0x09 || (value > 0x7F && properties.isWhitespace) || value == 0x0D
            || value == 0x0C || value == 0x0B
    }
}
