import Foundation
import Testing

@testable import PillarEval

@Suite struct RetrievalReferenceTests {
    @Test func computesPerQueryAndMean() throws {
        let input =
            #"{"k": 2, "queries": [{"id": "q1", "ranked": ["d3", "d1", "d9"], "relevant": ["d1", "d9"]},"#
            + #" {"id": "q2", "ranked": ["d5"], "relevant": ["d5"]}]}"#
        let output = try RetrievalReference.compute(Data(input.utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let rows = try #require(object["per_query"] as? [[String: Any]])
        #expect(rows.map { $0["id"] as? String } == ["q1", "q2"])
        #expect(rows[0]["hit"] as? Double == 1)
        #expect(rows[0]["recall"] as? Double == 0.5)
        #expect(rows[0]["mrr"] as? Double == 0.5)
        // Cut at 2: DCG = 1/log2(3), ideal = 1 + 1/log2(3).
        let ndcg = (1 / log2(3.0)) / (1 + 1 / log2(3.0))
        #expect(abs((rows[0]["ndcg"] as? Double ?? 0) - ndcg) < 1e-12)
        let mean = try #require(object["mean"] as? [String: Double])
        #expect(mean["recall"] == 0.75)
        #expect(mean["mrr"] == 0.75)
        #expect(abs((mean["ndcg"] ?? 0) - (ndcg + 1) / 2) < 1e-12)
    }

    @Test func refusesBadInput() {
        for input in [#"{"k": 0, "queries": [{"id": "q", "ranked": [], "relevant": []}]}"#, #"{"k": 5, "queries": []}"#, "[]"] {
            #expect(throws: RetrievalReference.InputError.self) { try RetrievalReference.compute(Data(input.utf8)) }
        }
    }
}
