import Testing

@testable import PillarRetrieval

@Suite struct TokenEstimateTests {
    let counter = WordPieceTokenEstimate()

    @Test(arguments: [
        ("", 0), ("   \n\t", 0), ("the cat sat", 3), ("Hello, world!", 4), ("token", 1), ("tokens", 2),
        ("tokenization", 3), ("supercalifragilisticexpialidocious", 7), ("don't", 3), ("2024", 2), ("1234567890", 4),
        ("东京", 2), ("👍🏽", 2), ("e\u{301}te\u{301}", 1), ("данные", 4), ("a\u{200D}b", 1),
    ])
    func estimates(text: String, tokens: Int) {
        #expect(counter.count(text[...]) == tokens)
    }

    @Test func countsAreAdditiveAcrossWhitespace() {
        let parts = ["Pillar's chunker,", "naïve", "東京タワー", "https://example.com/x?y=1", "ok."]
        #expect(counter.count(parts.joined(separator: " ")[...]) == parts.map { counter.count($0[...]) }.reduce(0, +))
    }
}
