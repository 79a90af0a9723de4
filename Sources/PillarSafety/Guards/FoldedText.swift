import Foundation

/// Lower-cased, accent-folded copy of a text that remembers where each UTF-16 unit came from,
/// so that matches found on the folded form map back to ranges of the original string.
struct FoldedText: Sendable {
    let original: String
    /// Folded text (lower case, no diacritics, typographic quotes made ASCII, zero-width removed).
    let folded: String
    let utf16: [UInt16]
    private let starts: [String.Index]
    private let ends: [String.Index]

    init(_ text: String) {
        original = text
        var units: [UInt16] = []
        units.reserveCapacity(text.utf16.count)
        var s: [String.Index] = []
        var e: [String.Index] = []
        s.reserveCapacity(text.utf16.count)
        e.reserveCapacity(text.utf16.count)
        var i = text.startIndex
        while i < text.endIndex {
            let j = text.index(after: i)
            let c = text[i]
            if let a = c.asciiValue {
                let lower = (a >= 65 && a <= 90) ? a + 32 : a
                units.append(UInt16(lower))
                s.append(i)
                e.append(j)
            } else {
                for u in FoldedText.fold(c).utf16 {
                    units.append(u)
                    s.append(i)
                    e.append(j)
                }
            }
            i = j
        }
        utf16 = units
        starts = s
        ends = e
        folded = String(decoding: units, as: UTF16.self)
    }

    static func fold(_ c: Character) -> String {
        switch c {
        case "\u{2019}", "\u{2018}", "\u{02BC}", "\u{00B4}", "`": return "'"
        case "\u{201C}", "\u{201D}", "\u{00AB}", "\u{00BB}": return "\""
        case "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{00AD}": return ""
        case "\u{00A0}", "\u{2007}", "\u{202F}": return " "
        case "\u{2013}", "\u{2014}": return "-"
        case "ß": return "ss"
        default:
            return String(c).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        }
    }

    var nsRangeAll: NSRange { NSRange(location: 0, length: utf16.count) }

    /// Maps a range of the folded text (UTF-16 offsets) back to the original string.
    func originalRange(_ r: NSRange) -> Range<String.Index> {
        guard !starts.isEmpty else { return original.startIndex..<original.startIndex }
        let lo = min(max(r.location, 0), starts.count - 1)
        let hi = min(max(r.location + max(r.length, 1) - 1, 0), ends.count - 1)
        return starts[lo]..<ends[max(lo, hi)]
    }

    /// Bounds (UTF-16 offsets) of the sentence that contains `r`.
    func sentence(around r: NSRange) -> NSRange {
        func isStop(_ u: UInt16) -> Bool { u == 46 || u == 33 || u == 63 || u == 10 }  // . ! ? \n
        var lo = r.location
        while lo > 0 && !isStop(utf16[lo - 1]) { lo -= 1 }
        var hi = r.location + r.length
        while hi < utf16.count && !isStop(utf16[hi]) { hi += 1 }
        return NSRange(location: lo, length: hi - lo)
    }

    func substring(_ r: NSRange) -> String {
        let lo = max(0, r.location)
        let hi = min(utf16.count, r.location + r.length)
        guard lo < hi else { return "" }
        return String(decoding: utf16[lo..<hi], as: UTF16.self)
    }
}
