import PillarTokenization
import Testing

@Suite struct RoundTripTests {
    @Test("decode(encode(text)) returns the text's UTF-8", arguments: TokenizerFamily.allCases)
    func roundTrip(family: TokenizerFamily) throws {
        let encoding = try Vocabularies.encoding(family)
        for fixture in FixtureCase.all {
            #expect(encoding.decode(encoding.encode(fixture.text)) == Array(fixture.text.utf8), "\(fixture.name)")
        }
    }

    @Test("decoding the reference ids gives the text back", arguments: TokenizerFamily.allCases)
    func decodeReferenceIds(family: TokenizerFamily) throws {
        let encoding = try Vocabularies.encoding(family)
        for fixture in FixtureCase.all {
            let ids = family == .cl100k ? fixture.cl100k : fixture.o200k
            #expect(encoding.decode(ids) == Array(fixture.text.utf8), "\(fixture.name)")
        }
    }

    @Test func unknownIdsDecodeToNothing() throws {
        let encoding = try Vocabularies.encoding(.cl100k)
        #expect(encoding.decode([-1, 1_000_000]) == [])
        #expect(encoding.vocabularySize == 100_256)
        #expect(try Vocabularies.encoding(.o200k).vocabularySize == 199_998)
    }
}
