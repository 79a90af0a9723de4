import Testing

@testable import PillarRetrieval

@Suite struct ReciprocalRankFusionTests {
    @Test func eachRankingAddsItsWeightOverKPlusRank() {
        let fused = ReciprocalRankFusion(k: 60, weights: [1, 1]).fuse([[10, 20, 30], [30, 10]])
        let scores: [Int64: Double] = Dictionary(uniqueKeysWithValues: fused.map { ($0.id, $0.score) })
        let expected: [Int64: Double] = [10: 1.0 / 61 + 1.0 / 62, 30: 1.0 / 63 + 1.0 / 61, 20: 1.0 / 62]
        for (id, score) in expected {
            let difference = abs((scores[id] ?? 0) - score)
            #expect(difference < 1e-15, "chunk \(id)")
        }
        #expect(fused.map(\.id) == [10, 30, 20], "agreement between the rankings wins")
    }

    @Test func aWeightOfZeroDropsItsRanking() {
        let fused = ReciprocalRankFusion(weights: [0, 1]).fuse([[1, 2, 3], [3, 2]])
        #expect(fused.map(\.id) == [3, 2], "only the second ranking counts")
    }

    @Test func theWeightRatioDecidesBetweenDisagreeingRankings() {
        let rankings: [[Int64]] = [[1, 2], [2, 1]]
        #expect(ReciprocalRankFusion(weights: [2, 1]).fuse(rankings).first?.id == 1)
        #expect(ReciprocalRankFusion(weights: [1, 2]).fuse(rankings).first?.id == 2)
        #expect(ReciprocalRankFusion(weights: [1, 1]).fuse(rankings).map(\.id) == [1, 2], "a tie goes to the smaller id")
    }

    @Test func aSmallerKFavoursTheTopRanks() {
        // Chunk 1 is first in one ranking only; chunk 2 is third in both.
        let rankings: [[Int64]] = [[1, 9, 2], [3, 8, 2]]
        #expect(ReciprocalRankFusion(k: 60, weights: [1, 1]).fuse(rankings).first?.id == 2)
        #expect(ReciprocalRankFusion(k: 0.1, weights: [1, 1]).fuse(rankings).first?.id == 1)
    }
}
