/// The o200k_base split regex (tiktoken_ext/openai_public.py), hand-compiled:
///
///     [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///     |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///     |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
///
/// Unlike cl100k these quantifiers are plain greedy ones, so the first
/// alternative can backtrack; `wordEnd` reproduces the order in which the
/// backtracking engine tries its options. "Upper" below is
/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` and "lower" is `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`;
/// they overlap on Lm, Lo and marks.
enum O200kPieceMatcher: PieceMatcher {
    static func pieceEnd(at i: Int, in s: ScalarRuns) -> Int {
        let n = s.count
        let c = s[i]
        // Whether `[^\r\n\p{L}\p{N}]?` can take scalar i. It is tried taken
        // first, then skipped.
        let prefixable =
            c.rawValue
            & (ScalarClass.lineBreak.rawValue | ScalarClass.letter.rawValue | ScalarClass.number.rawValue) == 0

        // Alternative 1: prefix? upper* lower+ contraction?
        if prefixable, let end = lowerWordEnd(from: i + 1, in: s) { return end }
        if let end = lowerWordEnd(from: i, in: s) { return end }

        // Alternative 2: prefix? upper+ lower* contraction?  (nothing after
        // the greedy runs can fail, so they never give anything back)
        if prefixable, i + 1 < n, s[i + 1].contains(.upperish) {
            return withContraction(s.runEnd(from: s.runEnd(from: i + 2, in: .upperish), in: .lowerish), s)
        }
        if c.contains(.upperish) {
            return withContraction(s.runEnd(from: s.runEnd(from: i + 1, in: .upperish), in: .lowerish), s)
        }

        // \p{N}{1,3}
        if c.contains(.number) {
            var j = i + 1
            while j < n, j < i + 3, s[j].contains(.number) { j += 1 }
            return j
        }

        // ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
        let trailer: ScalarClass = [.lineBreak, .slash]
        if c.contains(.space), i + 1 < n, s[i + 1].isPunctuation {
            return s.runEnd(from: s.punctuationRunEnd(from: i + 1), in: trailer)
        }
        if c.isPunctuation {
            return s.runEnd(from: s.punctuationRunEnd(from: i), in: trailer)
        }

        // Only whitespace is left.
        let wsEnd = s.runEnd(from: i + 1, in: .whitespace)
        // \s*[\r\n]+ : \s* backtracks to the last line break in the run
        // (the run ends at a non-space, so [\r\n]+ takes just that one).
        if let k = s.lastLineBreak(in: i, wsEnd) { return k + 1 }
        // \s+(?!\S) : the whole run at the end of text, otherwise the run
        // minus its last scalar, which needs at least two.
        if wsEnd == n { return n }
        if wsEnd - i >= 2 { return wsEnd - 1 }
        // \s+ : a single whitespace scalar before a non-space.
        return wsEnd
    }

    /// `upper* lower+ contraction?` starting at `p`, or nil if it cannot match.
    ///
    /// `upper*` first takes its longest run; if the next scalar is lower the
    /// match extends over the whole lower run. Otherwise `upper*` gives back
    /// one scalar at a time and `lower+` succeeds at the first (rightmost)
    /// given-back scalar that is also lower (Lm/Lo/M); everything after it
    /// in the run is Lu/Lt, so `lower+` then holds that one scalar.
    @inline(__always)
    private static func lowerWordEnd(from p: Int, in s: ScalarRuns) -> Int? {
        guard p < s.count else { return nil }
        let upperEnd = s.runEnd(from: p, in: .upperish)
        if upperEnd < s.count, s[upperEnd].contains(.lowerish) {
            return withContraction(s.runEnd(from: upperEnd + 1, in: .lowerish), s)
        }
        var q = upperEnd - 1
        while q >= p {
            if s[q].contains(.lowerish) {
                return withContraction(s.runEnd(from: q + 1, in: .lowerish), s)
            }
            q -= 1
        }
        return nil
    }

    @inline(__always)
    private static func withContraction(_ end: Int, _ s: ScalarRuns) -> Int {
        s.contractionEnd(at: end) ?? end
    }
}
