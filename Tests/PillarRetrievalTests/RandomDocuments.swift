@testable import PillarRetrieval

/// Markdown-like documents built to stress the chunker: headings, paragraphs of sentences with
/// abbreviations, lists, code fences, runs of whitespace, non-ASCII text (accents, combining marks,
/// emoji with modifiers and joiners, CJK), very long sentences and words with no space at all.
enum RandomDocuments {
    static let words = [
        "the", "retrieval", "pipeline", "chunks", "documents", "into", "passages", "and", "embeds", "them", "with",
        "a", "small", "model", "e.g.", "Dr.", "Mr.", "U.S.", "café", "naïve", "e\u{301}te\u{301}", "Straße", "👍🏽",
        "👩‍👩‍👧", "東京", "数据库", "данные", "42", "3.14", "v2.1", "(see", "below)", "\"quoted\"", "it's", "—", "x",
        "supercalifragilisticexpialidocious", "https://example.com/a/b?c=d", "J.", "Smith", "naïve-ly",
    ]

    static func sentence(_ rng: inout SplitMix64, length: Int? = nil) -> String {
        let count = length ?? Int.random(in: 1...25, using: &rng)
        var words = (0..<count).map { _ in Self.words.randomElement(using: &rng)! }
        words[0] = words[0].prefix(1).uppercased() + words[0].dropFirst()
        return words.joined(separator: Bool.random(using: &rng) ? " " : "  ") + [".", "!", "?", "…", ""].randomElement(
            using: &rng)!
    }

    static func paragraph(_ rng: inout SplitMix64) -> String {
        switch Int.random(in: 0..<20, using: &rng) {
        case 0: return sentence(&rng, length: Int.random(in: 200...700, using: &rng))  // a monster sentence
        case 1: return String(repeating: "Zm9vYmFy", count: Int.random(in: 100...600, using: &rng))  // no spaces at all
        case 2: return (0..<Int.random(in: 2...8, using: &rng)).map { _ in "- " + sentence(&rng) }.joined(separator: "\n")
        case 3:
            return "```\n"
                + (0..<Int.random(in: 1...40, using: &rng)).map { _ in "# code " + sentence(&rng) }.joined(separator: "\n")
                + "\n```"
        case 4: return (0..<Int.random(in: 1...30, using: &rng)).map { _ in "東京の天気は晴れです。" }.joined()
        default: return (0..<Int.random(in: 1...12, using: &rng)).map { _ in sentence(&rng) }.joined(separator: " ")
        }
    }

    static func markdown(seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        var blocks: [String] = []
        for _ in 0..<Int.random(in: 1...40, using: &rng) {
            if Int.random(in: 0..<5, using: &rng) == 0 {
                blocks.append(String(repeating: "#", count: Int.random(in: 1...4, using: &rng)) + " " + sentence(&rng, length: 3))
            } else {
                blocks.append(paragraph(&rng))
            }
        }
        let separators = ["\n\n", "\n", "\n \n", "\n\n\n\t\n"]
        return blocks.map { $0 + separators.randomElement(using: &rng)! }.joined()
    }

    /// The document with sections replaced by arbitrary ranges: unsorted, overlapping, out of bounds.
    static func withArbitrarySections(_ document: LoadedDocument, seed: UInt64) -> LoadedDocument {
        var rng = SplitMix64(seed: seed)
        let length = document.text.unicodeScalars.count
        var copy = document
        copy.sections = (0..<Int.random(in: 0...6, using: &rng)).map { number in
            let a = Int.random(in: 0...(length + 5), using: &rng)
            let b = Int.random(in: 0...(length + 5), using: &rng)
            return Section(headingPath: ["s\(number)"], range: min(a, b)..<max(a, b))
        }
        return copy
    }
}
