/// The pre-tokenization split of an encoding: how text is cut into pieces
/// before byte-pair merging. Each case reproduces, scalar for scalar, the
/// regex tiktoken uses for that encoding (see the matcher types).
public enum PretokenizerPattern: Sendable {
    /// cl100k_base (GPT-4, GPT-3.5, text-embedding-3).
    case cl100k
    /// o200k_base (GPT-4o, GPT-4.1, GPT-5, o-series).
    case o200k

    /// Calls `body` with the UTF-8 byte range of each piece, in order.
    /// The pieces tile `utf8` exactly.
    func forEachPiece(in utf8: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        switch self {
        case .cl100k: Self.split(utf8, matcher: Cl100kPieceMatcher.self, body)
        case .o200k: Self.split(utf8, matcher: O200kPieceMatcher.self, body)
        }
    }

    // Generic over the matcher so each pattern gets its own specialised loop.
    private static func split<M: PieceMatcher>(
        _ utf8: UnsafeBufferPointer<UInt8>, matcher: M.Type, _ body: (Range<Int>) -> Void
    ) {
        let text = ClassifiedText(utf8: utf8)
        text.classes.withUnsafeBufferPointer { classes in
            text.byteOffsets.withUnsafeBufferPointer { offsets in
                let runs = ScalarRuns(classes: classes)
                var i = 0
                while i < classes.count {
                    let end = M.pieceEnd(at: i, in: runs)
                    body(offsets[i]..<offsets[end])
                    i = end
                }
            }
        }
    }
}

/// One encoding's split rule: the end (exclusive scalar index) of the regex
/// match that starts at scalar `i`. Always greater than `i`.
protocol PieceMatcher {
    static func pieceEnd(at i: Int, in scalars: ScalarRuns) -> Int
}
