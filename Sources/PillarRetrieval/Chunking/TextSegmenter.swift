/// Splits a span of the document into smaller spans at natural boundaries, coarsest first:
/// paragraphs (blank lines), sentences, lines, words. Every span it returns is trimmed of
/// surrounding whitespace, and each split is one forward walk over the scalars.
struct TextSegmenter {
    let scalars: String.UnicodeScalarView

    init(_ text: String) {
        scalars = text.unicodeScalars
    }

    /// Paragraphs: runs of text separated by at least one blank (or whitespace-only) line.
    func paragraphs(in span: TextSpan) -> [TextSpan] {
        splitAtWhitespace(span) { newlines in newlines >= 2 }
    }

    /// Lines: runs of text separated by a line break.
    func lines(in span: TextSpan) -> [TextSpan] {
        splitAtWhitespace(span) { newlines in newlines >= 1 }
    }

    /// Words: runs of text separated by any whitespace.
    func words(in span: TextSpan) -> [TextSpan] {
        splitAtWhitespace(span) { _ in true }
    }

    /// Splits where a run of whitespace satisfies `isBoundary(number of line breaks in the run)`.
    private func splitAtWhitespace(_ span: TextSpan, isBoundary: (Int) -> Bool) -> [TextSpan] {
        var pieces: [TextSpan] = []
        var cursor = ScalarCursor(scalars, over: span)
        var pieceStart: ScalarCursor?
        var pieceEnd = cursor
        var newlines = 0
        var sawWhitespace = false
        while !cursor.isAtEnd {
            let scalar = cursor.current
            if scalar.isWhitespaceForSegmentation {
                if scalar == "\n" { newlines += 1 }
                sawWhitespace = true
            } else {
                if let start = pieceStart, sawWhitespace, isBoundary(newlines) {
                    pieces.append(start.span(to: pieceEnd))
                    pieceStart = nil
                }
                if pieceStart == nil { pieceStart = cursor }
                newlines = 0
                sawWhitespace = false
                cursor.advance()
                pieceEnd = cursor
                continue
            }
            cursor.advance()
        }
        if let start = pieceStart { pieces.append(start.span(to: pieceEnd)) }
        return pieces
    }

    /// Sentences within a (trimmed) paragraph; see `SentenceBoundaries` for the rules.
    func sentences(in span: TextSpan) -> [TextSpan] {
        var sentences: [TextSpan] = []
        var cursor = ScalarCursor(scalars, over: span)
        var sentenceStart = cursor
        var wordStart = cursor
        while !cursor.isAtEnd {
            let scalar = cursor.current
            if scalar.isWhitespaceForSegmentation {
                cursor.advance()
                wordStart = cursor
                continue
            }
            guard SentenceBoundaries.isTerminal(scalar) else {
                cursor.advance()
                continue
            }
            let terminal = cursor
            var end = cursor
            var terminals = 0
            while !end.isAtEnd, SentenceBoundaries.isTerminal(end.current) || SentenceBoundaries.isCloser(end.current) {
                if SentenceBoundaries.isTerminal(end.current) { terminals += 1 }
                end.advance()
            }
            var next = end
            while !next.isAtEnd, next.current.isWhitespaceForSegmentation { next.advance() }
            let spaced = next.offset > end.offset
            let isBoundary =
                !next.isAtEnd
                && (spaced || SentenceBoundaries.endsWithoutSpace(scalar))
                && SentenceBoundaries.canStartSentence(next.current)
                && !(scalar == "." && terminals == 1 && isAbbreviation(from: wordStart, to: terminal))
            if isBoundary {
                sentences.append(sentenceStart.span(to: end))
                sentenceStart = next
                wordStart = next
            }
            cursor = next.offset > end.offset || isBoundary ? next : end
            if !isBoundary && spaced { wordStart = next }
        }
        if sentenceStart.offset < cursor.offset { sentences.append(sentenceStart.span(to: cursor)) }
        return sentences
    }

    private func isAbbreviation(from wordStart: ScalarCursor, to period: ScalarCursor) -> Bool {
        guard period.offset - wordStart.offset <= 12 else { return false }
        return SentenceBoundaries.isAbbreviation(scalars[wordStart.index..<period.index])
    }

    /// Cuts a span that has no usable boundary (a 10 kB base64 blob, a URL list with no spaces) into
    /// pieces of at most `limit` tokens, never between a scalar and the combining marks after it.
    func hardSplit(_ span: TextSpan, limit: Int, counter: any TokenCounting, text: String) -> [TextSpan] {
        var pieces: [TextSpan] = []
        var start = ScalarCursor(scalars, over: span)
        // Kept by subtraction, not recounted, so a huge blob is counted about twice, not once per piece.
        var remainingTokens = counter.count(text[span.lower..<span.upper])
        while !start.isAtEnd {
            if remainingTokens <= limit {
                let rest = TextSpan(lower: start.index, upper: span.upper, start: start.offset, end: span.end)
                remainingTokens = counter.count(text[rest.lower..<rest.upper])
                if remainingTokens <= limit {
                    pieces.append(rest)
                    break
                }
            }
            // Guess the length from the average cost per scalar, then shrink until it fits.
            var length = max(1, (span.end - start.offset) * limit / max(remainingTokens, 1))
            while true {
                var end = start
                for _ in 0..<length where !end.isAtEnd { end.advance() }
                while !end.isAtEnd, Self.attachesToPrevious(end.current) { end.advance() }
                let piece = start.span(to: end)
                let tokens = counter.count(text[piece.lower..<piece.upper])
                if length == 1 || tokens <= limit {
                    pieces.append(piece)
                    remainingTokens = max(0, remainingTokens - tokens)
                    start = end
                    break
                }
                length = max(1, length * 3 / 4)
            }
        }
        return pieces
    }

    /// Combining marks, joiners and variation selectors belong to the scalar before them.
    static func attachesToPrevious(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default:
            return scalar == "\u{200D}" || (0xFE00...0xFE0F).contains(scalar.value) || (0xE0100...0xE01EF).contains(scalar.value)
        }
    }
}
