/// The smallest spans a section is packed from, with the units they group into.
///
/// A *unit* is what the packer prefers to keep whole: a paragraph when it fits in `unitLimit`, else
/// each of its sentences, else each line of a sentence, else each word, else slices of a word.
/// A unit's *pieces* are its sentences (or the finer spans it was cut to): chunks may break between
/// them when filling, and overlaps are made of them. Every piece fits in `unitLimit` tokens.
struct SectionPiece {
    var span: TextSpan
    var tokens: Int
    /// True for a sentence or line, and for the first word of one that had to be cut into words:
    /// overlaps start at such pieces when they can, so the next chunk opens on a whole sentence.
    var beginsSentence: Bool
    /// Set on the first piece of each unit: the index one past the unit's last piece.
    var unitEnd: Int?
    /// Set on the first piece of each unit: the unit's tokens.
    var unitTokens = 0
}

struct SectionPieceBuilder {
    let segmenter: TextSegmenter
    let text: String
    let counter: any TokenCounting
    /// Units and pieces at most this long leave room for an overlap in front of them.
    let unitLimit: Int

    func pieces(of section: TextSpan) -> [SectionPiece] {
        var pieces: [SectionPiece] = []
        for paragraph in segmenter.paragraphs(in: section) {
            let sentences = segmenter.sentences(in: paragraph).map {
                SectionPiece(span: $0, tokens: count($0), beginsSentence: true)
            }
            if sentences.reduce(0, { $0 + $1.tokens }) <= unitLimit {
                appendUnit(sentences, to: &pieces)
            } else {
                for sentence in sentences { appendFitting(sentence, level: .sentence, to: &pieces) }
            }
        }
        return pieces
    }

    private enum Level { case sentence, line, word }

    /// Appends `piece` as a unit of its own when it fits, else cuts it one level finer.
    private func appendFitting(_ piece: SectionPiece, level: Level, to pieces: inout [SectionPiece]) {
        if piece.tokens <= unitLimit {
            appendUnit([piece], to: &pieces)
            return
        }
        switch level {
        case .sentence:
            for line in segmenter.lines(in: piece.span) {
                appendFitting(SectionPiece(span: line, tokens: count(line), beginsSentence: true), level: .line, to: &pieces)
            }
        case .line:
            for (index, word) in segmenter.words(in: piece.span).enumerated() {
                let begins = index == 0 && piece.beginsSentence
                appendFitting(SectionPiece(span: word, tokens: count(word), beginsSentence: begins), level: .word, to: &pieces)
            }
        case .word:
            for (index, slice) in segmenter.hardSplit(piece.span, limit: unitLimit, counter: counter, text: text).enumerated() {
                appendUnit(
                    [SectionPiece(span: slice, tokens: count(slice), beginsSentence: index == 0 && piece.beginsSentence)],
                    to: &pieces)
            }
        }
    }

    private func appendUnit(_ members: [SectionPiece], to pieces: inout [SectionPiece]) {
        guard !members.isEmpty else { return }
        let first = pieces.count
        pieces.append(contentsOf: members)
        pieces[first].unitEnd = pieces.count
        pieces[first].unitTokens = members.reduce(0) { $0 + $1.tokens }
    }

    func count(_ span: TextSpan) -> Int {
        counter.count(text[span.lower..<span.upper])
    }
}
