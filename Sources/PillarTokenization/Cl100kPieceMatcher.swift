/// The cl100k_base split regex, hand-compiled:
///
///     '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|
///      ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
///
/// The engine is leftmost-first: at a position the first alternative that
/// can match wins, with its own greedy/possessive preference. Every scalar
/// starts some non-empty match (letters, numbers, punctuation and
/// whitespace each have a catch-all), so pieces tile the text and the
/// scanner only ever needs "where does the match starting here end".
enum Cl100kPieceMatcher: PieceMatcher {
    static func pieceEnd(at i: Int, in s: ScalarRuns) -> Int {
        let n = s.count
        let c = s[i]

        // '(?i:[sdmt]|ll|ve|re)
        if let end = s.contractionEnd(at: i) { return end }

        // [^\r\n\p{L}\p{N}]?+\p{L}++ : an optional non-letter/number/newline
        // prefix, then a letter run. Both quantifiers are possessive, and a
        // letter cannot be the prefix, so no backtracking is possible.
        if c.contains(.letter) { return s.runEnd(from: i + 1, in: .letter) }
        if c.rawValue & (ScalarClass.lineBreak.rawValue | ScalarClass.number.rawValue) == 0,
            i + 1 < n, s[i + 1].contains(.letter)
        {
            return s.runEnd(from: i + 2, in: .letter)
        }

        // \p{N}{1,3}+
        if c.contains(.number) {
            var j = i + 1
            while j < n, j < i + 3, s[j].contains(.number) { j += 1 }
            return j
        }

        // ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
        if c.contains(.space), i + 1 < n, s[i + 1].isPunctuation {
            return s.runEnd(from: s.punctuationRunEnd(from: i + 1), in: .lineBreak)
        }
        if c.isPunctuation {
            return s.runEnd(from: s.punctuationRunEnd(from: i), in: .lineBreak)
        }

        // Only whitespace is left.
        let wsEnd = s.runEnd(from: i + 1, in: .whitespace)
        // \s++$ : the run reaches the end of the text.
        if wsEnd == n { return n }
        // \s*[\r\n] : \s* backtracks to the last line break in the run.
        if let k = s.lastLineBreak(in: i, wsEnd) { return k + 1 }
        // \s+(?!\S) : the run is followed by a non-space, so it gives back
        // its last scalar (which then prefixes the next word or symbol).
        if wsEnd - i >= 2 { return wsEnd - 1 }
        // \s
        return i + 1
    }
}
