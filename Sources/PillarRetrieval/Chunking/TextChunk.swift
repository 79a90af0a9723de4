/// One retrievable piece of a document: a real substring of `LoadedDocument.text`, so a citation
/// can point at exact offsets.
public struct TextChunk: Sendable, Equatable {
    /// Position among the document's chunks, from 0, in text order.
    public var ordinal: Int
    /// Exactly `document.text(in: range)`.
    public var text: String
    /// The heading path of the section the chunk lies in; a chunk never spans two sections.
    public var headingPath: [String]
    /// Unicode scalar offsets into `LoadedDocument.text`, the same unit as `Section.range`.
    public var range: Range<Int>
    /// `text` counted by the chunker's `TokenCounting`.
    public var tokenCount: Int

    public init(ordinal: Int, text: String, headingPath: [String], range: Range<Int>, tokenCount: Int) {
        self.ordinal = ordinal
        self.text = text
        self.headingPath = headingPath
        self.range = range
        self.tokenCount = tokenCount
    }
}
