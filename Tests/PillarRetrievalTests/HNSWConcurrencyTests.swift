import Testing

@testable import PillarRetrieval

@Suite struct HNSWConcurrencyTests {
    /// A smoke test: searches, filtered searches and exact searches run from several tasks while other
    /// tasks insert and remove. It asserts no timing, only that nothing crashes and the end state adds up.
    @Test func searchesDuringInsertsAndRemovesDoNotCrash() async throws {
        let dimensions = 32
        let index = HNSWIndex(dimensions: dimensions, parameters: HNSWParameters(m: 8, efConstruction: 64))
        let vectors = VectorFixtures.unitVectors(count: 2_000, dimensions: dimensions, seed: 21)
        for id in 0..<200 { try index.insert(id: Int64(id), vector: vectors[id]) }
        let queries = VectorFixtures.unitVectors(count: 50, dimensions: dimensions, seed: 22)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<3 {
                group.addTask {
                    for id in stride(from: 200 + writer, to: 2_000, by: 3) {
                        try index.insert(id: Int64(id), vector: vectors[id])
                        // Removes ids 20..<200, all inserted before the tasks start, so the end count is exact.
                        if id % 10 == 0 { index.remove(id: Int64(id / 10)) }
                    }
                }
            }
            for reader in 0..<4 {
                group.addTask {
                    for round in 0..<150 {
                        let query = queries[(reader * 7 + round) % queries.count]
                        let hits = index.search(query, k: 10, filter: round % 2 == 0 ? nil : { $0 % 2 == 0 })
                        #expect(hits.count <= 10)
                        if round % 2 == 1 { #expect(hits.allSatisfy { $0.id % 2 == 0 }) }
                        _ = index.exactSearch(query, k: 5, among: Int64(0)..<300)
                        _ = index.count
                    }
                }
            }
            try await group.waitForAll()
        }
        let removed = 180
        #expect(index.count == 2_000 - removed)
        #expect(index.search(vectors[1_999], k: 1).first?.id == 1_999)
    }
}
