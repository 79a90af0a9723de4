import PillarTokenization
import Testing

/// Token ids must equal tiktoken's `encode_ordinary` exactly.
@Suite struct ReferenceEqualityTests {
    @Test("fixture has every case", .tags(.reference))
    func fixtureIsLoaded() {
        // hotpot questions/answers/paragraphs, hand-made edge cases, fuzz strings
        #expect(FixtureCase.all.count > 750)
        #expect(SweepBlock.all.count > 40)
    }

    @Test("ids equal tiktoken on every fixture case", .tags(.reference), arguments: TokenizerFamily.allCases)
    func fixtureIdsMatch(family: TokenizerFamily) throws {
        let encoding = try Vocabularies.encoding(family)
        var mismatches = 0
        for fixture in FixtureCase.all {
            let expected = family == .cl100k ? fixture.cl100k : fixture.o200k
            let actual = encoding.encode(fixture.text)
            if actual != expected {
                mismatches += 1
                if mismatches <= 10 {
                    Issue.record("\(fixture.name): expected \(expected.prefix(40)), got \(actual.prefix(40))")
                }
            }
            #expect(encoding.count(fixture.text) == expected.count, "\(fixture.name)")
        }
        #expect(mismatches == 0)
    }

    @Test("every scalar's class matches tiktoken's regex", .tags(.reference), arguments: TokenizerFamily.allCases)
    func scalarSweepMatches(family: TokenizerFamily) throws {
        let encoding = try Vocabularies.encoding(family)
        for block in SweepBlock.all {
            let ids = encoding.encode(SweepText.text(block.start, block.end))
            let (count, hash) =
                family == .cl100k
                ? (block.cl100kCount, block.cl100kHash) : (block.o200kCount, block.o200kHash)
            #expect(ids.count == count, "\(block.testDescription)")
            #expect(String(SweepText.hash(ids)) == hash, "\(block.testDescription)")
        }
    }
}

extension Tag {
    @Tag static var reference: Self
}
