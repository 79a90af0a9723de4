/// Packs one section's pieces into chunks of at most `maxTokens`, each starting with an overlap of
/// about `overlapTokens` taken from the end of the chunk before it.
struct SectionPacker {
    let options: ChunkingOptions
    let segmenter: TextSegmenter
    let pieceBuilder: SectionPieceBuilder

    /// A chunk being assembled: an optional overlap, then pieces `ownPieces` of its own.
    struct Draft {
        var start: (index: String.Index, offset: Int)
        var end: (index: String.Index, offset: Int)
        var tokens: Int
        var ownPieces: Range<Int>
        var ownTokens = 0
    }

    func pack(_ pieces: [SectionPiece]) -> [Draft] {
        guard let first = pieces.first, let last = pieces.last else { return [] }
        let total = pieces.reduce(0) { $0 + $1.tokens }
        if total <= options.maxTokens {
            return [
                Draft(
                    start: (first.span.lower, first.span.start), end: (last.span.upper, last.span.end),
                    tokens: total, ownPieces: 0..<pieces.count, ownTokens: total)
            ]
        }
        var drafts: [Draft] = []
        var current: Draft?
        var overlap: (index: String.Index, offset: Int, tokens: Int)?
        var next = 0
        while next < pieces.count {
            let piece = pieces[next]
            var draft =
                current
                ?? Draft(
                    start: overlap.map { ($0.index, $0.offset) } ?? (piece.span.lower, piece.span.start),
                    end: (piece.span.lower, piece.span.start), tokens: overlap?.tokens ?? 0, ownPieces: next..<next)
            let isFresh = draft.ownPieces.isEmpty
            if let unitEnd = piece.unitEnd {
                if draft.tokens + piece.unitTokens <= options.maxTokens {
                    for index in next..<unitEnd { add(pieces[index], at: index, to: &draft) }
                    next = unitEnd
                    current = draft
                    continue
                }
                // A paragraph that does not fit starts the next chunk, unless this one would be left
                // with too little text of its own: then it is filled sentence by sentence.
                if !isFresh && draft.ownTokens >= options.minTokens {
                    overlap = finish(draft, pieces: pieces, into: &drafts)
                    current = nil
                    continue
                }
            }
            if isFresh || draft.tokens + piece.tokens <= options.maxTokens {
                add(piece, at: next, to: &draft)
                next += 1
                current = draft
            } else {
                overlap = finish(draft, pieces: pieces, into: &drafts)
                current = nil
            }
        }
        if let draft = current { _ = finish(draft, pieces: pieces, into: &drafts) }
        mergeSmallTail(&drafts)
        return drafts
    }

    private func add(_ piece: SectionPiece, at index: Int, to draft: inout Draft) {
        draft.end = (piece.span.upper, piece.span.end)
        draft.tokens += piece.tokens
        draft.ownTokens += piece.tokens
        draft.ownPieces = draft.ownPieces.lowerBound..<(index + 1)
    }

    /// Stores the draft and returns the overlap for the chunk after it: the longest run of trailing
    /// pieces within `overlapTokens` that starts at a sentence, else the longest that starts at a
    /// word, else the trailing words of the last piece.
    private func finish(_ draft: Draft, pieces: [SectionPiece], into drafts: inout [Draft]) -> (
        index: String.Index, offset: Int, tokens: Int
    )? {
        drafts.append(draft)
        guard options.overlapTokens > 0, !draft.ownPieces.isEmpty else { return nil }
        var tokens = 0
        var atSentence: (index: String.Index, offset: Int, tokens: Int)?
        var atWord: (index: String.Index, offset: Int, tokens: Int)?
        for index in draft.ownPieces.reversed() {
            let piece = pieces[index]
            guard tokens + piece.tokens <= options.overlapTokens else { break }
            tokens += piece.tokens
            atWord = (piece.span.lower, piece.span.start, tokens)
            if piece.beginsSentence { atSentence = atWord }
        }
        if let overlap = atSentence ?? atWord { return overlap }
        let lastPiece = pieces[draft.ownPieces.upperBound - 1]
        var wordStart: TextSpan?
        for word in segmenter.words(in: lastPiece.span).reversed() {
            let wordTokens = pieceBuilder.count(word)
            guard tokens + wordTokens <= options.overlapTokens else { break }
            tokens += wordTokens
            wordStart = word
        }
        return wordStart.map { ($0.lower, $0.start, tokens) }
    }

    /// A last chunk with less than `minTokens` of its own text joins the chunk before it when the two
    /// fit together. Greedy packing with additive counts already prevents this; it matters for token
    /// counters that are not additive.
    private func mergeSmallTail(_ drafts: inout [Draft]) {
        guard drafts.count >= 2, let tail = drafts.last, tail.ownTokens < options.minTokens else { return }
        let previous = drafts[drafts.count - 2]
        guard previous.tokens + tail.ownTokens <= options.maxTokens else { return }
        drafts.removeLast()
        drafts[drafts.count - 1].end = tail.end
        drafts[drafts.count - 1].tokens += tail.ownTokens
        drafts[drafts.count - 1].ownTokens += tail.ownTokens
        drafts[drafts.count - 1].ownPieces = previous.ownPieces.lowerBound..<tail.ownPieces.upperBound
    }
}
