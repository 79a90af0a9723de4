// Shared test data: seeded random unit vectors and a recall measure.

@testable import PillarRetrieval

enum VectorFixtures {
    /// `count` random L2-normalised vectors, the same for the same seed.
    static func unitVectors(count: Int, dimensions: Int, seed: UInt64) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in unitVector(dimensions: dimensions, using: &rng) }
    }

    static func unitVector(dimensions: Int, using rng: inout SplitMix64) -> [Float] {
        // Uniform in [-1, 1) per component, then normalised: not uniform on the sphere, but random
        // enough that neighbours are hard to guess, which is what a recall test needs.
        var vector = (0..<dimensions).map { _ in Float(rng.nextUnitInterval() * 2 - 1) }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for i in vector.indices { vector[i] /= norm }
        return vector
    }

    /// An index holding `vectors` under ids 0..<count.
    static func index(_ vectors: [[Float]], parameters: HNSWParameters = .init()) throws -> HNSWIndex {
        let index = HNSWIndex(dimensions: vectors.first?.count ?? 1, parameters: parameters)
        for (id, vector) in vectors.enumerated() {
            try index.insert(id: Int64(id), vector: vector)
        }
        return index
    }

    /// Fraction of the exact top-k ids that the approximate answer found, over all queries.
    static func recall(approximate: [[VectorMatch]], exact: [[VectorMatch]]) -> Double {
        var found = 0
        var wanted = 0
        for (approx, truth) in zip(approximate, exact) {
            let truthIds = Set(truth.map(\.id))
            found += approx.filter { truthIds.contains($0.id) }.count
            wanted += truth.count
        }
        return wanted == 0 ? 1 : Double(found) / Double(wanted)
    }

    /// Random unit vectors grouped around `clusters` random centres, each a centre plus a random offset
    /// of length `noise` (at 1.5 a vector's cosine to its centre is about 0.55): like text embeddings,
    /// whose neighbourhoods have a low intrinsic dimension, unlike isotropic random vectors, the worst
    /// case for any graph index.
    static func clusteredUnitVectors(
        count: Int, dimensions: Int, clusters: Int, noise: Float, seed: UInt64
    ) -> [[Float]] {
        var centreRandom = SplitMix64(seed: 1_000)  // the same centres for base vectors and queries
        let centres = (0..<clusters).map { _ in unitVector(dimensions: dimensions, using: &centreRandom) }
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let centre = centres[Int(rng.next() % UInt64(clusters))]
            let offset = unitVector(dimensions: dimensions, using: &rng)
            var vector = zip(centre, offset).map { $0 + noise * $1 }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in vector.indices { vector[i] /= norm }
            return vector
        }
    }

    /// 5,000 clustered random 64-dimensional unit vectors indexed with the default parameters, built once
    /// and shared by the read-only tests (a build takes about half a minute in a debug build). At the
    /// default efSearch (64) recall@10 is about 0.99 here, so the 0.95 bar has a margin but still bites.
    static let shared: (index: HNSWIndex, vectors: [[Float]], queries: [[Float]]) = {
        let vectors = clusteredUnitVectors(count: 5_000, dimensions: 64, clusters: 50, noise: 1.5, seed: 1)
        let queries = clusteredUnitVectors(count: 200, dimensions: 64, clusters: 50, noise: 1.5, seed: 2)
        return (try! index(vectors), vectors, queries)
    }()

    /// Isotropic random vectors (the hardest case); fewer of them, to keep the debug-build test time down.
    static let isotropic: (index: HNSWIndex, queries: [[Float]]) = {
        let vectors = unitVectors(count: 2_000, dimensions: 64, seed: 3)
        return (try! index(vectors), unitVectors(count: 200, dimensions: 64, seed: 4))
    }()
}
