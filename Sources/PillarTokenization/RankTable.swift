import Foundation

/// The vocabulary: every token's bytes and rank, with O(1) lookup in both
/// directions and no per-token allocation.
///
/// tiktoken keeps a `HashMap<Vec<u8>, Rank>`; a Swift `[[UInt8]: Int]`
/// would hash whole arrays and allocate a key per lookup, which dominates
/// BPE. Instead all token bytes live in one flat buffer and an
/// open-addressing table maps a byte slice's hash to its rank. One- and
/// two-byte sequences, by far the most frequent lookups during merging,
/// get direct tables.
final class RankTable: Sendable {
    /// All token byte strings concatenated in rank order.
    let tokenBytes: [UInt8]
    /// Token `r` is `tokenBytes[tokenStarts[r]..<tokenStarts[r + 1]]`; an
    /// unused rank (a gap in the file) has an empty span.
    let tokenStarts: [UInt32]
    /// Open addressing, linear probing: `(hash >> 32) << 32 | (rank + 1)`,
    /// 0 marks an empty slot. Kept at most half full.
    let slots: [UInt64]
    /// Rank of each single byte (tiktoken vocabularies contain all 256).
    let byteRanks: [UInt32]
    /// Rank of each two-byte sequence `a << 8 | b`, `noRank` if absent.
    let pairRanks: [UInt32]

    static let noRank = UInt32.max

    /// `tokens[k]` spans `bytes[starts[k]..<starts[k]+lengths[k]]` and has rank `ranks[k]`.
    init(bytes: [UInt8], starts: [Int], lengths: [Int], ranks: [Int]) {
        let maxRank = ranks.max() ?? -1
        var byRank = [UInt32](repeating: 0, count: maxRank + 2)
        var flat: [UInt8] = []
        flat.reserveCapacity(bytes.count)
        // Lay tokens out by rank so decoding is a direct index.
        var order = [Int](repeating: -1, count: maxRank + 1)
        for k in ranks.indices { order[ranks[k]] = k }
        for r in 0..<(maxRank + 1) {
            byRank[r] = UInt32(flat.count)
            let k = order[r]
            if k >= 0 { flat.append(contentsOf: bytes[starts[k]..<starts[k] + lengths[k]]) }
        }
        byRank[maxRank + 1] = UInt32(flat.count)

        var capacity = 1024
        while capacity < ranks.count * 2 { capacity <<= 1 }
        var table = [UInt64](repeating: 0, count: capacity)
        var singles = [UInt32](repeating: Self.noRank, count: 256)
        var pairs = [UInt32](repeating: Self.noRank, count: 1 << 16)
        flat.withUnsafeBufferPointer { flatBuffer in
            let base = flatBuffer.baseAddress!
            for r in 0..<(maxRank + 1) {
                let start = Int(byRank[r])
                let length = Int(byRank[r + 1]) - start
                guard length > 0 else { continue }
                let token = base + start
                if length == 1 { singles[Int(token[0])] = UInt32(r) }
                if length == 2 { pairs[Int(token[0]) << 8 | Int(token[1])] = UInt32(r) }
                let hash = TokenHash.hash(token, length)
                var index = Int(truncatingIfNeeded: hash) & (capacity - 1)
                // A byte string listed under two ranks keeps the higher one.
                while table[index] != 0 {
                    let other = Int(UInt32(truncatingIfNeeded: table[index]) - 1)
                    let otherStart = Int(byRank[other])
                    let otherLength = Int(byRank[other + 1]) - otherStart
                    if otherLength == length, memcmp(base + otherStart, token, length) == 0 { break }
                    index = (index + 1) & (capacity - 1)
                }
                table[index] = (hash >> 32) << 32 | UInt64(r + 1)
            }
        }
        tokenBytes = flat
        tokenStarts = byRank
        slots = table
        byteRanks = singles
        pairRanks = pairs
    }

    /// Number of rank slots (highest rank + 1).
    var rankCount: Int { tokenStarts.count - 1 }

    /// Runs `body` with raw views of the tables for allocation-free lookups.
    @inline(__always)
    func withLookup<R>(_ body: (RankLookup) -> R) -> R {
        tokenBytes.withUnsafeBufferPointer { bytes in
            tokenStarts.withUnsafeBufferPointer { starts in
                slots.withUnsafeBufferPointer { slots in
                    byteRanks.withUnsafeBufferPointer { singles in
                        pairRanks.withUnsafeBufferPointer { pairs in
                            body(RankLookup(bytes: bytes, starts: starts, slots: slots, singles: singles, pairs: pairs))
                        }
                    }
                }
            }
        }
    }
}

/// Borrowed raw view of a `RankTable`; only valid inside `withLookup`.
struct RankLookup {
    let bytes: UnsafeBufferPointer<UInt8>
    let starts: UnsafeBufferPointer<UInt32>
    let slots: UnsafeBufferPointer<UInt64>
    let singles: UnsafeBufferPointer<UInt32>
    let pairs: UnsafeBufferPointer<UInt32>

    /// Rank of the byte string `p[0..<count]`, or `RankTable.noRank`.
    @inline(__always)
    func rank(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt32 {
        if count == 1 { return singles[Int(p[0])] }
        if count == 2 { return pairs[Int(p[0]) << 8 | Int(p[1])] }
        let hash = TokenHash.hash(p, count)
        let tag = hash >> 32
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { return RankTable.noRank }
            if slot >> 32 == tag {
                let r = Int(UInt32(truncatingIfNeeded: slot) - 1)
                let start = Int(starts[r])
                if Int(starts[r + 1]) - start == count, memcmp(bytes.baseAddress! + start, p, count) == 0 {
                    return UInt32(r)
                }
            }
            index = (index + 1) & mask
        }
    }
}
