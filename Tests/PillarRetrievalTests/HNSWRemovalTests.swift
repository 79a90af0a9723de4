import Foundation
import Testing

@testable import PillarRetrieval

/// Removal erases a node for real: the graph is repaired around it, so recall holds without it routing, and
/// neither its vector nor its id is left in memory or in a saved file.
@Suite struct HNSWRemovalTests {
    @Test func recallHoldsAfterRemovingAThirdOfAClusteredGraph() throws {
        let dimensions = 48
        let vectors = VectorFixtures.clusteredUnitVectors(
            count: 3_000, dimensions: dimensions, clusters: 30,
            noise: 1.5, seed: 51)
        let index = try VectorFixtures.index(vectors)
        var rng = SplitMix64(seed: 52)
        let order = Array((0..<Int64(3_000)).shuffled(using: &rng).prefix(900))
        let removed = Set(order)
        // One at a time, as documents are deleted; the entry point is among them with probability 0.3.
        for id in order { index.remove(id: id) }
        #expect(index.count == 2_100)

        let queries =
            VectorFixtures.clusteredUnitVectors(
                count: 150, dimensions: dimensions, clusters: 30,
                noise: 1.5, seed: 53)
            + order.prefix(50).map { vectors[Int($0)] }  // a removed vector's own query is its worst case
        let approximate = queries.map { index.search($0, k: 10) }
        // Exact search scores the live rows only: the ground truth over the remaining vectors.
        let exact = queries.map { index.exactSearch($0, k: 10) }
        let recall = VectorFixtures.recall(approximate: approximate, exact: exact)
        print("clustered recall@10 after removing 30% one by one: \(recall)")
        #expect(recall >= 0.95)
        for (query, hits) in zip(queries, approximate) {
            #expect(hits.count == 10 && hits.allSatisfy { !removed.contains($0.id) })
            #expect(index.search(query, k: 10, filter: { $0 % 2 == 0 }).allSatisfy { !removed.contains($0.id) })
        }

        // Later inserts fill the vacant rows instead of growing the graph, and are found.
        for (offset, vector) in VectorFixtures.unitVectors(count: 100, dimensions: dimensions, seed: 54).enumerated() {
            try index.insert(id: 10_000 + Int64(offset), vector: vector)
            #expect(index.search(vector, k: 1).first?.id == 10_000 + Int64(offset))
        }
        #expect(index.storedNodeCount == 3_000 && index.count == 2_200)
    }

    @Test func aBatchRemovalKeepsRecallToo() throws {
        let vectors = VectorFixtures.clusteredUnitVectors(count: 2_000, dimensions: 32, clusters: 20, noise: 1.5, seed: 55)
        let index = try VectorFixtures.index(vectors)
        // Whole clusters' worth of neighbours at once: removed nodes that link to each other.
        let removed = (0..<Int64(2_000)).filter { $0 % 10 < 4 }
        index.remove(ids: removed)
        #expect(index.count == 1_200)
        let queries = VectorFixtures.clusteredUnitVectors(count: 100, dimensions: 32, clusters: 20, noise: 1.5, seed: 56)
        let approximate = queries.map { index.search($0, k: 10) }
        let recall = VectorFixtures.recall(approximate: approximate, exact: queries.map { index.exactSearch($0, k: 10) })
        print("clustered recall@10 after removing 40% in one batch: \(recall)")
        #expect(recall >= 0.95)
        #expect(approximate.allSatisfy { $0.allSatisfy { $0.id % 10 >= 4 } })
    }

    @Test func aSavedFileHoldsNoTraceOfRemovedVectors() throws {
        let vectors = VectorFixtures.unitVectors(count: 400, dimensions: 24, seed: 57)
        // Ids no link count, level or float could spell by chance.
        let base: Int64 = 0x5EC2_E7ED_0000_0000
        let index = HNSWIndex(dimensions: 24, parameters: HNSWParameters(m: 8, efConstruction: 64))
        for (offset, vector) in vectors.enumerated() { try index.insert(id: base + Int64(offset), vector: vector) }
        let removed = Array(stride(from: 0, to: 400, by: 9))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hnsw-removal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("index.hnsw")
        /// How many removed vectors, then how many removed ids, appear in `bytes`.
        func traces(in bytes: Data) -> [Int] {
            let vectorHits = removed.filter { bytes.range(of: vectors[$0].withUnsafeBytes { Data($0) }) != nil }
            let idHits = removed.filter { row in
                bytes.range(of: withUnsafeBytes(of: (base + Int64(row)).littleEndian) { Data($0) }) != nil
            }
            return [vectorHits.count, idHits.count]
        }

        try index.write(to: url, watermark: 1)
        #expect(traces(in: try Data(contentsOf: url)) == [removed.count, removed.count])  // the search finds them

        index.remove(ids: removed.map { base + Int64($0) })
        try index.write(to: url, watermark: 2)
        #expect(traces(in: try Data(contentsOf: url)) == [0, 0])

        // The file reads back without a rebuild, its structural checks (no link into a vacant row) pass, and
        // the graph goes on: a removed id can come back.
        let (loaded, _) = try HNSWIndex.read(from: url)
        #expect(loaded.count == 400 - removed.count && loaded.storedNodeCount == 400)
        #expect(loaded.search(vectors[1], k: 1).first?.id == base + 1)
        try loaded.insert(id: base, vector: vectors[0])
        #expect(loaded.search(vectors[0], k: 1).first?.id == base)
    }
}
