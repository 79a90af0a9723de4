import Foundation

/// Tenant block list: terms and phrases matched case- and accent-insensitively, on whole words.
struct Blocklist: Sendable {
    let terms: [String]
    private let pattern: GuardPattern?

    init(_ raw: [String]) {
        // Fold every term the same way the text is folded, drop empties and duplicates.
        var seen = Set<String>()
        var folded: [String] = []
        for t in raw {
            let f = FoldedText(t.trimmingCharacters(in: .whitespacesAndNewlines)).folded
            if !f.isEmpty, seen.insert(f).inserted { folded.append(f) }
        }
        // Longest first so that phrases win over their prefixes.
        folded.sort { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
        terms = folded
        if folded.isEmpty {
            pattern = nil
        } else {
            let alts = folded.map { term -> String in
                term.split(whereSeparator: { $0.isWhitespace })
                    .map { NSRegularExpression.escapedPattern(for: String($0)) }
                    .joined(separator: #"\s+"#)
            }
            // Whole words: no letter or digit directly before or after (works for terms that start or end with symbols).
            pattern = GuardPattern(#"(?<![\p{L}\p{N}_])(?:"# + alts.joined(separator: "|") + #")(?![\p{L}\p{N}_])"#)
        }
    }

    func findings(in text: FoldedText) -> [ContentFinding] {
        guard let pattern else { return [] }
        return pattern.matches(text.folded).map { r in
            let term = text.substring(r)
            return ContentFinding(category: .blocklist, severity: .high, range: text.originalRange(r), rule: "blocklist:\(term)")
        }
    }
}
