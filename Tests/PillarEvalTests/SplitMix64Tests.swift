import Testing

@testable import PillarEval

@Test func splitMix64MatchesThePublishedSequence() {
    // The reference C implementation's output for seed 1234567 (Vigna's splitmix64.c test vector).
    var generator = SplitMix64(seed: 1_234_567)
    let outputs = (0..<5).map { _ in generator.next() }
    #expect(
        outputs == [
            6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
            4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
        ])
}

@Test func splitMix64IsAValueThatRepeatsFromACopy() {
    var first = SplitMix64(seed: 42)
    _ = first.next()
    var second = first
    #expect(first.next() == second.next())
    #expect(SplitMix64(seed: 1) != SplitMix64(seed: 2))
}
