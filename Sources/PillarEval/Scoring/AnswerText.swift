import Foundation

/// How answers and references are compared: SQuAD's normalisation (lowercase, punctuation removed, the
/// articles a/an/the dropped, whitespace collapsed) and the citation markers that are stripped first.
public enum AnswerText {
    /// The normalised text: its tokens joined by single spaces.
    public static func normalized(_ text: String) -> String {
        tokens(text).joined(separator: " ")
    }

    /// The normalised tokens of `text`.
    ///
    /// Punctuation is removed without leaving a space, as SQuAD does ("don't" becomes "dont"). SQuAD removes
    /// ASCII punctuation only; we also remove Unicode punctuation (curly quotes, dashes), so that "it’s" and
    /// "it's" agree. ASCII text normalises exactly as in SQuAD's evaluation script.
    public static func tokens(_ text: String) -> [String] {
        var kept = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars where !isPunctuation(scalar) {
            kept.append(scalar)
        }
        return String(kept).split(whereSeparator: \.isWhitespace).map(String.init).filter { !articles.contains($0) }
    }

    /// `text` with its citation markers (`[1]`, `[2][3]`, `[1, 2]`, `[policy.pdf#page=3]`) replaced by a space.
    public static func removingCitationMarkers(_ text: String) -> String {
        guard let markerPattern else { return text }
        let range = NSRange(text.startIndex..., in: text)
        return markerPattern.stringByReplacingMatches(in: text, range: range, withTemplate: " ")
    }

    /// The citation markers of `text`, in order: numbers for `[n]` (one per number of `[1, 2]`), names for
    /// `[name.ext]` (without a `#page=n` suffix).
    public static func citationMarkers(_ text: String) -> [CitationMarker] {
        guard let markerPattern else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        var markers: [CitationMarker] = []
        for match in markerPattern.matches(in: text, range: range) {
            guard let whole = Range(match.range, in: text) else { continue }
            let inner = text[whole].dropFirst().dropLast()
            let numbers = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if !numbers.isEmpty, numbers.allSatisfy({ Int($0) != nil }) {
                markers.append(contentsOf: numbers.compactMap { Int($0) }.map(CitationMarker.number))
            } else {
                let name = inner.split(separator: "#", maxSplits: 1).first.map(String.init) ?? String(inner)
                markers.append(.name(name))
            }
        }
        return markers
    }

    /// A marker of a citation in an answer's text.
    public enum CitationMarker: Sendable, Hashable {
        /// `[n]`: the citation with this marker.
        case number(Int)
        /// `[name.ext]`: a source named in the text, as azure-search-openai-demo's answers do.
        case name(String)
    }

    static let articles: Set<String> = ["a", "an", "the"]

    /// Python's `string.punctuation`, which SQuAD removes.
    static let asciiPunctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if asciiPunctuation.contains(scalar) { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// Numeric markers, or a file-like name with a 2-5 character extension and an optional page; other
    /// bracketed text ("[sic]") is not a citation.
    /// (A literal: the tests check that it compiles.)
    static let markerPattern = try? NSRegularExpression(
        pattern: #"\[\s*\d{1,4}(?:\s*,\s*\d{1,4})*\s*\]|\[[^\[\]\n]{1,256}?\.[A-Za-z0-9]{2,5}(?:#page=\d{1,6})?\]"#)
}
