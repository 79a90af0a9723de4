/// Splits a loaded document into token-bounded chunks that follow its structure: a chunk never
/// crosses a section; within a section it breaks at paragraphs, then sentences, then lines, then
/// words; consecutive chunks of a section overlap by about `overlapTokens`. Each chunk's text is
/// exactly `document.text(in: chunk.range)`.
///
/// Runs in time linear in the text: segmentation walks String indices forward and never converts
/// an offset by walking from the start.
public struct Chunker: Sendable {
    public let options: ChunkingOptions
    private let tokenCounter: any TokenCounting

    /// Invalid options are clamped to the nearest valid ones (see `ChunkingOptions.clamped()`);
    /// call `ChunkingOptions.validate()` first to report them instead.
    public init(options: ChunkingOptions, tokenCounter: some TokenCounting = WordPieceTokenEstimate()) {
        self.options = options.clamped()
        self.tokenCounter = tokenCounter
    }

    public func chunk(_ document: LoadedDocument) -> [TextChunk] {
        let text = document.text
        let segmenter = TextSegmenter(text)
        let pieceBuilder = SectionPieceBuilder(
            segmenter: segmenter, text: text, counter: tokenCounter,
            unitLimit: options.maxTokens - options.overlapTokens)
        let packer = SectionPacker(options: options, segmenter: segmenter, pieceBuilder: pieceBuilder)
        var locator = ScalarIndexLocator(text)
        var chunks: [TextChunk] = []
        for section in Self.coveringSections(document) {
            let span = TextSpan(
                lower: locator.index(at: section.range.lowerBound), upper: locator.index(at: section.range.upperBound),
                start: section.range.lowerBound, end: section.range.upperBound)
            for draft in packer.pack(pieceBuilder.pieces(of: span)) {
                let chunkText = text[draft.start.index..<draft.end.index]
                chunks.append(
                    TextChunk(
                        ordinal: chunks.count, text: String(chunkText), headingPath: section.headingPath,
                        range: draft.start.offset..<draft.end.offset, tokenCount: tokenCounter.count(chunkText)))
            }
        }
        return chunks
    }

    /// The document's sections sorted, clipped to the text and made disjoint, with any text that no
    /// section covers added as sections with an empty heading path, so no text is ever dropped.
    static func coveringSections(_ document: LoadedDocument) -> [Section] {
        let length = document.text.unicodeScalars.count
        var covering: [Section] = []
        var covered = 0
        for section in document.sections.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            let lower = min(max(section.range.lowerBound, covered), length)
            let upper = min(section.range.upperBound, length)
            if lower > covered {
                covering.append(Section(headingPath: [], range: covered..<lower))
                covered = lower
            }
            guard lower < upper else { continue }
            covering.append(Section(headingPath: section.headingPath, range: lower..<upper))
            covered = upper
        }
        if covered < length { covering.append(Section(headingPath: [], range: covered..<length)) }
        return covering
    }
}
