import Testing

@testable import PillarRetrieval

@Suite struct EmbeddingInputPreparationTests {
    @Test(arguments: [
        ("Лавр Корни́лов", "Лавр Корнилов"),
        ("café naïve", "cafe naive"),
        ("zero\u{200B}width\u{0B}tab\u{0}", "zerowidthtab"),
        ("tabs\tand\nnewlines\r\n", "tabs\tand\nnewlines\r\n"),
        ("plain text", "plain text"),
    ])
    func foldsMarksAndControlsLikeBERTsNormaliser(input: String, expected: String) {
        #expect(EmbeddingInputPreparation.localWordPiece.prepare(input) == expected)
        #expect(EmbeddingInputPreparation.unchanged.prepare(input) == input)
    }

    @Test func longTextsAreCutAtAWordWithinTheLimit() {
        let text = (0..<600).map { "word\($0)" }.joined(separator: " ")
        let prepared = EmbeddingInputPreparation.localWordPiece.prepare(text)
        #expect(text.hasPrefix(prepared))
        #expect(prepared.count < text.count)
        #expect(WordPieceTokenEstimate().count(prepared[...]) <= 254)
        // Cut at a word, and not a word earlier than it had to.
        let kept = prepared.split(separator: " ").count
        let words = text.split(separator: " ")
        #expect(prepared == words[..<kept].joined(separator: " "))
        #expect(WordPieceTokenEstimate().count(words[...kept].joined(separator: " ")[...]) > 254)
        let short = "a short query"
        #expect(EmbeddingInputPreparation.localWordPiece.prepare(short) == short)
    }
}
