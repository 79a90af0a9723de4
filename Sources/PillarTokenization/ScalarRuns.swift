/// Read-only view of the scalar classes with the small scanning helpers that
/// both split patterns are built from.
struct ScalarRuns {
    let classes: UnsafeBufferPointer<ScalarClass>

    @inline(__always)
    var count: Int { classes.count }

    @inline(__always)
    subscript(_ i: Int) -> ScalarClass { classes[i] }

    /// First index at or after `start` whose class lacks every bit of `set`.
    @inline(__always)
    func runEnd(from start: Int, in set: ScalarClass) -> Int {
        var j = start
        while j < classes.count, classes[j].rawValue & set.rawValue != 0 { j &+= 1 }
        return j
    }

    /// End of a `[^\s\p{L}\p{N}]+` run starting at `start`.
    @inline(__always)
    func punctuationRunEnd(from start: Int) -> Int {
        var j = start
        while j < classes.count, classes[j].isPunctuation { j &+= 1 }
        return j
    }

    /// If a contraction `'(?i:s|t|re|ve|m|ll|d)` starts at `i`, its end; else nil.
    /// Each alternative begins with a different letter, so at most one fits
    /// and the regex's alternation order does not matter.
    @inline(__always)
    func contractionEnd(at i: Int) -> Int? {
        guard i + 1 < classes.count, classes[i].contains(.apostrophe) else { return nil }
        switch classes[i + 1].contractionLetter {
        case .s, .t, .d, .m:
            return i + 2
        case .l, .v, .r:
            guard i + 2 < classes.count else { return nil }
            let second = classes[i + 2].contractionLetter
            let first = classes[i + 1].contractionLetter
            let fits = (first == .l && second == .l) || (first != .l && second == .e)
            return fits ? i + 3 : nil
        case .e, .none:
            return nil
        }
    }

    /// The last index in `start..<end` that is `\r` or `\n`, if any.
    @inline(__always)
    func lastLineBreak(in start: Int, _ end: Int) -> Int? {
        var k = end - 1
        while k >= start {
            if classes[k].contains(.lineBreak) { return k }
            k -= 1
        }
        return nil
    }
}
