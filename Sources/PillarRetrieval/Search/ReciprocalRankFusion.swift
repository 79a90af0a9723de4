/// Reciprocal rank fusion (Cormack, Clarke & Büttcher, 2009): each ranking adds weight / (k + rank) to the
/// chunks it lists, so agreement between rankings wins without their scores having to be comparable.
public struct ReciprocalRankFusion: Sendable, Hashable {
    public var k: Double
    public var weights: [Double]

    public init(k: Double = 60, weights: [Double]) {
        self.k = k
        self.weights = weights
    }

    /// Fused scores, best first; ties go to the smaller id so results are stable.
    public func fuse(_ rankings: [[Int64]]) -> [(id: Int64, score: Double)] {
        var scores: [Int64: Double] = [:]
        for (index, ranking) in rankings.enumerated() {
            let weight = index < weights.count ? weights[index] : 1
            guard weight > 0 else { continue }
            for (position, id) in ranking.enumerated() {
                scores[id, default: 0] += weight / (k + Double(position + 1))
            }
        }
        return scores.map { (id: $0.key, score: $0.value) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
    }
}
