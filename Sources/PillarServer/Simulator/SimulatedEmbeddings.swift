import Crypto
import Foundation
import Synchronization

/// How the simulator turns a text into a unit vector. Both are deterministic: the same text always embeds
/// the same way.
public enum SimulatedEmbeddings: String, Sendable, CaseIterable {
    /// Each lower-cased word adds ±1 to a slot picked by its hash: texts sharing words are neighbours, and
    /// vectors are sparse (the default; retrieval tests read it as a lexical model).
    case hashedWords = "hashed-words"
    /// Each word adds its topic's direction (the first byte of its SHA-256 picks one of 64 topics) and a
    /// smaller direction of its own: vectors are dense and clustered by topic, as sentence embeddings are,
    /// so approximate nearest-neighbour search behaves on them as it would on a real model's.
    case topics
}

/// Word and topic directions for `.topics`, computed once per word.
final class TopicVectors: Sendable {
    static let topicCount = 64
    /// A word's own direction, relative to its topic's.
    static let wordWeight: Float = 0.6
    let dimensions: Int
    private let words = Mutex<[String: [Float]]>([:])
    private let topics: [[Float]]

    init(dimensions: Int) {
        self.dimensions = dimensions
        topics = (0..<Self.topicCount).map { Self.direction(seed: "topic \($0)", dimensions: dimensions) }
    }

    func vector(for text: String) -> [Float] {
        var sum = [Float](repeating: 0, count: dimensions)
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            let key = String(word)
            let wordVector = words.withLock { cache in
                if let known = cache[key] { return known }
                let topic = topics[Int(Array(SHA256.hash(data: Data(key.utf8)))[0]) % Self.topicCount]
                let own = Self.direction(seed: key, dimensions: dimensions)
                let combined = zip(topic, own).map { $0 + Self.wordWeight * $1 }
                if cache.count < 1_000_000 { cache[key] = combined }
                return combined
            }
            for index in 0..<dimensions { sum[index] += wordVector[index] }
        }
        let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? sum.map { $0 / norm } : Self.direction(seed: "", dimensions: dimensions)
    }

    /// A unit vector spread from a seed's SHA-256 (counter mode).
    static func direction(seed: String, dimensions: Int) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(dimensions)
        var counter: UInt32 = 0
        while values.count < dimensions {
            var data = Data(seed.utf8)
            withUnsafeBytes(of: counter.bigEndian) { data.append(contentsOf: $0) }
            for byte in SHA256.hash(data: data) where values.count < dimensions {
                values.append(Float(byte) / 127.5 - 1)
            }
            counter += 1
        }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return values.map { $0 / norm }
    }
}
