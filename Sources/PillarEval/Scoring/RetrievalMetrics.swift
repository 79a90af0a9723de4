import Foundation
import PillarCore

/// Ranking metrics with binary relevance, as ranx defines them. `ranked` holds document keys, best first;
/// a key seen again lower down is ignored (a document retrieved as several chunks counts once, where it
/// first ranked). `k` cuts the ranking after that many distinct keys; nil keeps it whole. With nothing
/// relevant every metric is 0, as in ranx.
public enum RetrievalMetrics {
    /// ranx `hit_rate@k`: 1 when a relevant key is in the ranking.
    public static func hit(ranked: [String], relevant: Set<String>, k: Int? = nil) -> Double {
        cut(ranked, k).contains { relevant.contains($0) } ? 1 : 0
    }

    /// ranx `recall@k`: the share of relevant keys in the ranking.
    public static func recall(ranked: [String], relevant: Set<String>, k: Int? = nil) -> Double {
        guard !relevant.isEmpty else { return 0 }
        let found = cut(ranked, k).filter { relevant.contains($0) }.count
        return Double(found) / Double(relevant.count)
    }

    /// ranx `mrr@k` for one query (its reciprocal rank): 1 / the rank of the first relevant key, 0 if none.
    public static func reciprocalRank(ranked: [String], relevant: Set<String>, k: Int? = nil) -> Double {
        guard let index = cut(ranked, k).firstIndex(where: { relevant.contains($0) }) else { return 0 }
        return 1 / Double(index + 1)
    }

    /// ranx `ndcg@k` (the Järvelin-Kekäläinen formulation, ranx's default): DCG is the sum over ranks i of
    /// rel_i / log2(i + 1); the ideal DCG puts every relevant key first, as many as the cut allows.
    public static func ndcg(ranked: [String], relevant: Set<String>, k: Int? = nil) -> Double {
        guard !relevant.isEmpty else { return 0 }
        let ranking = cut(ranked, k)
        var dcg = 0.0
        for (index, key) in ranking.enumerated() where relevant.contains(key) {
            dcg += 1 / log2(Double(index + 2))
        }
        // ranx's ideal ranking is the qrels, cut at k (or whole for k = 0): not limited by the run's length.
        let idealCount = k.map { min($0, relevant.count) } ?? relevant.count
        var idealDCG = 0.0
        for index in 0..<idealCount { idealDCG += 1 / log2(Double(index + 2)) }
        return idealDCG > 0 ? dcg / idealDCG : 0
    }

    /// The ranking of a result's retrieved chunks as document keys: a chunk's key is the first expected
    /// source it matches (so the relevant set is the expected sources), otherwise its document id; each key
    /// is kept where it first ranks. Chunks are taken by `rank`, then in the order given.
    public static func ranking(of retrieved: [EvalSource], expected: [String]) -> [String] {
        let sources = CitationMetrics.distinctSources(expected)
        let ordered = retrieved.enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }
        var seen: Set<String> = []
        var keys: [String] = []
        for (_, chunk) in ordered {
            let key = sources.first { chunk.matches($0) } ?? chunk.documentID
            if seen.insert(key).inserted { keys.append(key) }
        }
        return keys
    }

    /// `ranked` without repeats, cut after `k` keys.
    static func cut(_ ranked: [String], _ k: Int?) -> [String] {
        var seen: Set<String> = []
        var keys: [String] = []
        for key in ranked where seen.insert(key).inserted {
            if let k, keys.count >= k { break }
            keys.append(key)
        }
        return keys
    }
}
