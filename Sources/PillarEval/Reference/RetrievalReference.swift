import Foundation

/// The retrieval metrics over given rankings, for checking Pillar's definitions against ranx:
/// `{"k": 5, "queries": [{"id": "q1", "ranked": ["d3", "d1"], "relevant": ["d1", "d9"]}]}` in,
/// `{"per_query": [{"id": "q1", "hit": .., "recall": .., "mrr": .., "ndcg": ..}], "mean": {...}}` out, every
/// metric cut at k (ranx `hit_rate@k`, `recall@k`, `mrr@k`, `ndcg@k`).
public enum RetrievalReference {
    public static let queryLimit = 100_000
    public static let kLimit = 10_000

    /// Why the input was refused.
    public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Always `invalid_input`.
        public var code: String
        public var message: String

        init(_ message: String) {
            code = "invalid_input"
            self.message = message
        }

        public var description: String { message }
    }

    struct Input: Decodable {
        var k: Int
        var queries: [Query]
    }

    struct Query: Decodable {
        var id: String
        var ranked: [String]
        var relevant: [String]
    }

    struct Scores: Encodable {
        var hit: Double
        var recall: Double
        var mrr: Double
        var ndcg: Double
    }

    struct QueryScores: Encodable {
        var id: String
        var hit: Double
        var recall: Double
        var mrr: Double
        var ndcg: Double
    }

    struct Output: Encodable {
        var perQuery: [QueryScores]
        var mean: Scores

        enum CodingKeys: String, CodingKey {
            case perQuery = "per_query"
            case mean
        }
    }

    public static func compute(_ input: Data) throws -> Data {
        let parsed: Input
        do {
            parsed = try JSONDecoder().decode(Input.self, from: input)
        } catch {
            throw InputError("The input is not {\"k\": n, \"queries\": [{\"id\", \"ranked\", \"relevant\"}]}: \(error)")
        }
        guard (1...kLimit).contains(parsed.k) else { throw InputError("k must be from 1 to \(kLimit).") }
        guard !parsed.queries.isEmpty, parsed.queries.count <= queryLimit else {
            throw InputError("Give from 1 to \(queryLimit) queries.")
        }
        let k = parsed.k
        let perQuery = parsed.queries.map { query in
            let relevant = Set(query.relevant)
            return QueryScores(
                id: query.id,
                hit: RetrievalMetrics.hit(ranked: query.ranked, relevant: relevant, k: k),
                recall: RetrievalMetrics.recall(ranked: query.ranked, relevant: relevant, k: k),
                mrr: RetrievalMetrics.reciprocalRank(ranked: query.ranked, relevant: relevant, k: k),
                ndcg: RetrievalMetrics.ndcg(ranked: query.ranked, relevant: relevant, k: k))
        }
        let count = Double(perQuery.count)
        let mean = Scores(
            hit: perQuery.map(\.hit).reduce(0, +) / count,
            recall: perQuery.map(\.recall).reduce(0, +) / count,
            mrr: perQuery.map(\.mrr).reduce(0, +) / count,
            ndcg: perQuery.map(\.ndcg).reduce(0, +) / count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(Output(perQuery: perQuery, mean: mean))
    }
}
