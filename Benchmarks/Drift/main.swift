import Foundation
import PillarCore
import PillarMonitoring

/// Runs Pillar's query-drift test (`EmbeddingDrift`) on pairs of embedding samples read as JSON from standard
/// input, `{"permutations": 500, "pairs": [{"reference": [[Float]], "current": [[Float]]}]}`, and writes one
/// line of JSON: each pair's p-value and MMD², and the seconds the tests took. `scripts/bench-drift.py` makes
/// the pairs and compares the results with Evidently's.
struct Input: Decodable {
    struct Pair: Decodable {
        var reference: [[Float]]
        var current: [[Float]]
    }

    var permutations: Int
    var pairs: [Pair]
}

struct Output: Encodable {
    var pValues: [Double]
    var statistics: [Double]
    var seconds: Double
}

let input = try JSONDecoder().decode(Input.self, from: FileHandle.standardInput.readDataToEndOfFile())
let clock = ContinuousClock()
var pValues: [Double] = []
var statistics: [Double] = []
let elapsed = clock.measure {
    for (index, pair) in input.pairs.enumerated() {
        guard let result = EmbeddingDrift.test(reference: pair.reference, current: pair.current,
                                               permutations: input.permutations,
                                               maximumPerSide: max(pair.reference.count, pair.current.count),
                                               seed: UInt64(index)) else {
            FileHandle.standardError.write(Data("pair \(index) could not be tested\n".utf8))
            exit(1)
        }
        pValues.append(result.pValue)
        statistics.append(result.statistic)
    }
}
print(String(decoding: try JSONEncoder().encode(Output(pValues: pValues, statistics: statistics, seconds: elapsed.seconds)),
             as: UTF8.self))
