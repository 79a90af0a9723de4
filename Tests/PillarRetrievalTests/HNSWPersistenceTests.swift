import Foundation
import Testing

@testable import PillarRetrieval

@Suite struct HNSWPersistenceTests {
    /// A fresh directory per test, removed afterwards.
    func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hnsw-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    func makeIndex() throws -> (HNSWIndex, [[Float]]) {
        let vectors = VectorFixtures.unitVectors(count: 1_500, dimensions: 48, seed: 31)
        let index = try VectorFixtures.index(
            vectors, parameters: HNSWParameters(m: 12, efConstruction: 100, efSearch: 40, seed: 9))
        for id in stride(from: Int64(0), to: 1_500, by: 7) { index.remove(id: id) }
        return (index, vectors)
    }

    @Test func roundTripGivesIdenticalResultsAndTheWatermark() throws {
        let (index, _) = try makeIndex()
        let queries = VectorFixtures.unitVectors(count: 40, dimensions: 48, seed: 32)
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("index.hnsw")
            try index.write(to: url, watermark: 123_456_789_012)
            #expect(!FileManager.default.fileExists(atPath: url.path + ".tmp"))

            let (loaded, watermark) = try HNSWIndex.read(from: url)
            #expect(watermark == 123_456_789_012)
            #expect(loaded.count == index.count)
            #expect(loaded.dimensions == 48)
            #expect(loaded.parameters == index.parameters)
            #expect(!loaded.contains(7) && loaded.contains(8))
            for query in queries {
                #expect(loaded.search(query, k: 10) == index.search(query, k: 10))
                #expect(
                    loaded.search(query, k: 10, filter: { $0 % 2 == 1 }) == index.search(query, k: 10, filter: { $0 % 2 == 1 }))
                #expect(loaded.exactSearch(query, k: 10) == index.exactSearch(query, k: 10))
            }

            // Both continue identically: same level stream, same graph.
            let extra = VectorFixtures.unitVectors(count: 100, dimensions: 48, seed: 33)
            for (offset, vector) in extra.enumerated() {
                try index.insert(id: 10_000 + Int64(offset), vector: vector)
                try loaded.insert(id: 10_000 + Int64(offset), vector: vector)
            }
            for query in queries.prefix(10) {
                #expect(loaded.search(query, k: 10) == index.search(query, k: 10))
            }
        }
    }

    @Test func anEmptyIndexRoundTrips() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("empty.hnsw")
            try HNSWIndex(dimensions: 3).write(to: url, watermark: -1)
            let (loaded, watermark) = try HNSWIndex.read(from: url)
            #expect(loaded.count == 0 && watermark == -1 && loaded.dimensions == 3)
            #expect(loaded.search([1, 0, 0], k: 3).isEmpty)
            try loaded.insert(id: 1, vector: [1, 0, 0])
            #expect(loaded.search([1, 0, 0], k: 3).map(\.id) == [1])
        }
    }

    @Test func writingReplacesAnOlderFile() throws {
        let (index, _) = try makeIndex()
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("index.hnsw")
            try HNSWIndex(dimensions: 48).write(to: url, watermark: 1)
            try index.write(to: url, watermark: 2)
            let (loaded, watermark) = try HNSWIndex.read(from: url)
            #expect(watermark == 2 && loaded.count == index.count)
        }
    }

    @Test func aTruncatedFileThrows() throws {
        let (index, _) = try makeIndex()
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("index.hnsw")
            try index.write(to: url, watermark: 5)
            let bytes = try Data(contentsOf: url)
            let cut = directory.appendingPathComponent("cut.hnsw")
            for length in [0, 3, 8, 11, 40, 100, bytes.count / 2, bytes.count - 9, bytes.count - 1] {
                try bytes.prefix(length).write(to: cut)
                #expect(throws: HNSWError.self, "cut to \(length) bytes") { try HNSWIndex.read(from: cut) }
            }
        }
    }

    @Test func garbageThrows() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("garbage.hnsw")
            var rng = SplitMix64(seed: 41)
            let random = Data((0..<100_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            try random.write(to: url)
            #expect(throws: HNSWError.notAnIndexFile) { try HNSWIndex.read(from: url) }

            // Garbage behind a valid magic and version still throws, whatever it claims.
            try (Data(HNSWFile.magic) + Data([2, 0, 0, 0]) + random).write(to: url)
            #expect(throws: HNSWError.self) { try HNSWIndex.read(from: url) }
            // Version 1 files kept removed vectors: refused, so that their owner rebuilds from its store.
            try (Data(HNSWFile.magic) + Data([1, 0, 0, 0]) + random).write(to: url)
            #expect(throws: HNSWError.unsupportedVersion(1)) { try HNSWIndex.read(from: url) }
            try (Data(HNSWFile.magic) + Data([9, 0, 0, 0]) + random).write(to: url)
            #expect(throws: HNSWError.unsupportedVersion(9)) { try HNSWIndex.read(from: url) }
            #expect(throws: HNSWError.self) {
                try HNSWIndex.read(from: directory.appendingPathComponent("missing.hnsw"))
            }
        }
    }

    @Test func aFlippedByteThrows() throws {
        let (index, _) = try makeIndex()
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("index.hnsw")
            try index.write(to: url, watermark: 5)
            let original = try Data(contentsOf: url)
            for position in [20, 60, 100, original.count / 3, original.count - 20, original.count - 3] {
                var damaged = original
                damaged[position] ^= 0x10
                try damaged.write(to: url)
                #expect(throws: HNSWError.self, "byte \(position) flipped") { try HNSWIndex.read(from: url) }
            }
        }
    }

    /// A file whose checksum is right but whose links point outside the graph or into a vacant row (a buggy
    /// writer) must be rejected by the structural checks, not crash or mislead a later search.
    @Test func aConsistentChecksumOverBadLinksStillThrows() throws {
        let index = try VectorFixtures.index(VectorFixtures.unitVectors(count: 50, dimensions: 4, seed: 42))
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("index.hnsw")
            try index.write(to: url, watermark: 0)
            let original = [UInt8](try Data(contentsOf: url))
            let entryPoint = 8 + 4 * 6 + 8 * 3 + 8 * 2
            let header = entryPoint + 4 * 2 + 8
            let vacant = header + 50 * 4 * 4 + 50
            let layer0 = vacant + 50 + 50 * 8
            /// The file with `patch` applied and its checksum made right again.
            func patched(_ patch: (inout [UInt8]) -> Void) throws -> URL {
                var bytes = original
                patch(&bytes)
                var checksum = Checksum64()
                bytes.withUnsafeBytes { checksum.update(UnsafeRawBufferPointer(rebasing: $0[0..<bytes.count - 8])) }
                withUnsafeBytes(of: checksum.value.littleEndian) {
                    bytes.replaceSubrange(bytes.count - 8..<bytes.count, with: $0)
                }
                try Data(bytes).write(to: url)
                return url
            }
            // First neighbour of node 0 on layer 0 := 1,000 (there are 50 nodes).
            let outside = try patched { bytes in
                withUnsafeBytes(of: Int32(1_000).littleEndian) { bytes.replaceSubrange(layer0 + 4..<layer0 + 8, with: $0) }
            }
            #expect(throws: HNSWError.corruptFile("link to node 1000 on layer 0")) { try HNSWIndex.read(from: outside) }

            // A neighbour of node 0 (not the entry point) marked vacant while node 0 still links to it.
            func int32(at offset: Int) -> Int32 {
                original.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int32.self) }
            }
            let neighbour = [int32(at: layer0 + 4), int32(at: layer0 + 8)].first { $0 != int32(at: entryPoint) }!
            let intoVacant = try patched { $0[vacant + Int(neighbour)] = 1 }
            #expect(throws: HNSWError.corruptFile("link to node \(neighbour) on layer 0")) {
                try HNSWIndex.read(from: intoVacant)
            }
        }
    }

    @Test func writingIntoAMissingDirectoryThrows() throws {
        let index = HNSWIndex(dimensions: 2)
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/index.hnsw")
        #expect(throws: HNSWError.self) { try index.write(to: url, watermark: 0) }
    }
}
