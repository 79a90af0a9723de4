/// What ends a sentence. A terminal mark ends one only when whitespace follows and then something
/// that can open a sentence (an uppercase letter, a digit, an opening quote or bracket, a letter of
/// a script without case); after a period, only when the word before it is not a known
/// abbreviation ("e.g.", "Dr.") or a single initial ("J. Smith").
enum SentenceBoundaries {
    static func isTerminal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ".", "!", "?", "…", "‼", "⁇", "⁈", "⁉", "。", "！", "？", "।", "॥", "؟": true
        default: false
        }
    }

    /// Full-width CJK terminals end a sentence with no space after them.
    static func endsWithoutSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "。" || scalar == "！" || scalar == "？"
    }

    /// Closing quotes and brackets that stay with the sentence they end: `He said "Stop." Then`.
    static func isCloser(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\"", "'", "”", "’", ")", "]", "»", "」", "』", "）", "*", "_": true
        default: false
        }
    }

    static func canStartSentence(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\"", "'", "“", "‘", "(", "[", "«", "¿", "¡", "„", "「", "『", "*", "_", "`", "#", "-", "•", ">": return true
        default: break
        }
        let properties = scalar.properties
        if properties.isUppercase || properties.generalCategory == .titlecaseLetter || properties.numericType != nil {
            return true
        }
        return properties.isAlphabetic && !properties.isLowercase
    }

    /// Whether a period after `word` (the text since the last whitespace) is part of an abbreviation.
    static func isAbbreviation(_ word: Substring.UnicodeScalarView) -> Bool {
        let letters = word.drop { "(\"'[“‘".unicodeScalars.contains($0) }
        guard !letters.isEmpty, letters.count <= 12 else { return false }
        if letters.count == 1 { return letters.first!.properties.isAlphabetic }  // an initial
        let lowered = String(String.UnicodeScalarView(letters)).lowercased()
        if abbreviations.contains(lowered) { return true }
        // Dotted forms such as "u.s", "a.k.a", "ph.d": every part one or two letters long.
        let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count > 1 && parts.allSatisfy { (1...2).contains($0.count) }
    }

    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "mx", "dr", "prof", "sr", "jr", "st", "mt", "ft", "vs", "cf", "approx", "dept", "est",
        "fig", "figs", "no", "nos", "vol", "vols", "ed", "eds", "inc", "ltd", "co", "corp", "gen", "col", "lt",
        "sgt", "capt", "rev", "hon", "gov", "sen", "rep", "pp", "op", "al", "ca", "ch", "sec", "resp", "incl",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "viz", "esp",
    ]
}
