import PillarCore
import Testing

@testable import PillarTokenization

/// The heap merge used for long pieces must agree with the tiktoken-style
/// linear merge everywhere, not just on the long fixture cases.
@Suite struct MergeStrategyTests {
    @Test("linear and heap merges agree", arguments: TokenizerFamily.allCases)
    func strategiesAgree(family: TokenizerFamily) throws {
        let table = try RankFileParser.parse(
            contentsOf: PillarCache.tokenizers().appendingPathComponent(family.cacheFileName))
        var generator = SplitMix64(seed: 42)
        let alphabet = Array("ab eth the ing tion 1 0 .,!\n\t é中文🙂 aa ll".utf8)
        var samples: [[UInt8]] = FixtureCase.all.prefix(200).map { Array($0.text.utf8.prefix(300)) }
        for _ in 0..<300 {
            let length = Int(generator.next() % 300) + 1
            samples.append((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            samples.append((0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        }
        table.withLookup { lookup in
            for sample in samples where !sample.isEmpty {
                sample.withUnsafeBufferPointer { bytes in
                    var linear: [Int] = []
                    var heap: [Int] = []
                    lookup.mergeLinear(bytes.baseAddress!, bytes.count) { linear.append($0) }
                    lookup.mergeWithHeap(bytes.baseAddress!, bytes.count) { heap.append($0) }
                    #expect(linear == heap)
                }
            }
        }
    }
}

/// Small deterministic generator so the random samples are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
