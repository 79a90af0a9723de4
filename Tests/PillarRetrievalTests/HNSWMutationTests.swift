import Testing

@testable import PillarRetrieval

@Suite struct HNSWMutationTests {
    static let dimensions = 32

    func makeIndex(count: Int = 2_000) throws -> (HNSWIndex, [[Float]]) {
        let vectors = VectorFixtures.unitVectors(count: count, dimensions: Self.dimensions, seed: 11)
        return (try VectorFixtures.index(vectors), vectors)
    }

    @Test func removedIdsNeverComeBack() throws {
        let (index, vectors) = try makeIndex()
        let removed = Set(stride(from: Int64(0), to: 2_000, by: 3))
        for id in removed { index.remove(id: id) }
        #expect(index.count == 2_000 - removed.count)
        #expect(!index.contains(0) && index.contains(1))

        let queries =
            VectorFixtures.unitVectors(count: 50, dimensions: Self.dimensions, seed: 12)
            + removed.prefix(50).map { vectors[Int($0)] }  // a removed vector's own query is its worst case
        for query in queries {
            #expect(index.search(query, k: 50).allSatisfy { !removed.contains($0.id) })
            #expect(index.search(query, k: 50, filter: { _ in true }).allSatisfy { !removed.contains($0.id) })
            #expect(index.exactSearch(query, k: 50).allSatisfy { !removed.contains($0.id) })
            #expect(index.exactSearch(query, k: 50, among: removed).isEmpty)
        }
        // Removal keeps recall: the links around removed nodes are repaired.
        let approximate = queries.map { index.search($0, k: 10) }
        let exact = queries.map { index.exactSearch($0, k: 10) }
        #expect(VectorFixtures.recall(approximate: approximate, exact: exact) >= 0.95)
    }

    @Test func theFilterNeverSeesRemovedIds() throws {
        let (index, _) = try makeIndex(count: 500)
        for id in Int64(0)..<250 { index.remove(id: id) }
        let query = VectorFixtures.unitVectors(count: 1, dimensions: Self.dimensions, seed: 13)[0]
        nonisolated(unsafe) var seen = Set<Int64>()  // the filter runs synchronously on this thread
        _ = index.search(
            query, k: 10,
            filter: {
                seen.insert($0)
                return true
            })
        _ = index.exactSearch(
            query, k: 10,
            filter: {
                seen.insert($0)
                return true
            })
        #expect(!seen.isEmpty && seen.allSatisfy { $0 >= 250 })
    }

    @Test func aRemovedIdCanBeInsertedAgain() throws {
        let (index, vectors) = try makeIndex(count: 500)
        index.remove(id: 42)
        #expect(!index.contains(42))
        #expect(index.search(vectors[42], k: 1).first?.id != 42)

        let replacement = VectorFixtures.unitVectors(count: 1, dimensions: Self.dimensions, seed: 14)[0]
        try index.insert(id: 42, vector: replacement)
        #expect(index.contains(42) && index.count == 500)
        let top = index.search(replacement, k: 1).first
        #expect(top?.id == 42)
        #expect(abs((top?.score ?? 0) - 1) < 1e-4)
        // Only the new vector answers for 42: its old position scores like any unrelated vector.
        let hits = index.exactSearch(vectors[42], k: 500).filter { $0.id == 42 }
        #expect(hits.count == 1 && hits[0].score < 0.9)
    }

    @Test func insertingALiveIdReplacesItsVector() throws {
        let (index, vectors) = try makeIndex(count: 300)
        try index.insert(id: 7, vector: vectors[8])
        #expect(index.count == 300)
        let hits = index.exactSearch(vectors[8], k: 2)
        #expect(Set(hits.map(\.id)) == [7, 8])
        #expect(hits.allSatisfy { abs($0.score - 1) < 1e-4 })
        #expect(index.search(vectors[7], k: 300).allSatisfy { $0.id != 7 || $0.score < 0.9 })
    }

    @Test func removingUnknownIdsIsHarmless() throws {
        let (index, _) = try makeIndex(count: 100)
        index.remove(id: 12_345)
        index.remove(id: 5)
        index.remove(id: 5)
        #expect(index.count == 99)
    }

    @Test func removingEveryIdLeavesSearchesEmpty() throws {
        let (index, vectors) = try makeIndex(count: 200)
        for id in Int64(0)..<200 { index.remove(id: id) }
        #expect(index.count == 0)
        #expect(index.search(vectors[0], k: 5).isEmpty)
        #expect(index.exactSearch(vectors[0], k: 5).isEmpty)
        try index.insert(id: 1, vector: vectors[3])
        #expect(index.search(vectors[3], k: 5).map(\.id) == [1])
    }

    @Test func wrongDimensionThrowsAndChangesNothing() throws {
        let (index, vectors) = try makeIndex(count: 50)
        #expect(throws: HNSWError.dimensionMismatch(expected: Self.dimensions, actual: 3)) {
            try index.insert(id: 1, vector: [1, 0, 0])
        }
        #expect(throws: HNSWError.dimensionMismatch(expected: Self.dimensions, actual: 0)) {
            try index.insert(id: 1_000, vector: [])
        }
        #expect(index.count == 50)
        #expect(index.search(vectors[1], k: 1).first?.id == 1)
    }

    @Test func nonFiniteValuesThrow() throws {
        let index = HNSWIndex(dimensions: 4)
        #expect(throws: HNSWError.nonFiniteValue(position: 2)) {
            try index.insert(id: 1, vector: [0.5, 0.5, .nan, 0.5])
        }
        #expect(throws: HNSWError.nonFiniteValue(position: 0)) {
            try index.insert(id: 1, vector: [.infinity, 0, 0, 0])
        }
        #expect(index.count == 0)
    }

    @Test func parametersAreClampedAndEfSearchCanChange() {
        let index = HNSWIndex(dimensions: 4, parameters: HNSWParameters(m: 1, efConstruction: 0, efSearch: -3, seed: 5))
        #expect(index.parameters == HNSWParameters(m: 2, efConstruction: 2, efSearch: 1, seed: 5))
        index.setEfSearch(128)
        #expect(index.parameters.efSearch == 128)
        #expect(index.dimensions == 4)
    }

    @Test func memoryEstimateCoversTheVectors() throws {
        let (index, _) = try makeIndex(count: 1_000)
        #expect(index.approximateMemoryBytes >= 1_000 * Self.dimensions * 4)
        #expect(index.approximateMemoryBytes < 1_000 * Self.dimensions * 4 * 8)
    }
}
