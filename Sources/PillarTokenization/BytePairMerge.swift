/// Byte-pair merging of one piece, with tiktoken's exact semantics
/// (`_byte_pair_merge` in tiktoken's src/lib.rs): start from single bytes,
/// repeatedly merge the adjacent pair whose concatenation has the lowest
/// rank, taking the leftmost pair on ties, until no adjacent pair is a token.
///
/// Two strategies give identical results:
/// - `mergeLinear` mirrors tiktoken's vector scan, O(n·merges) but fast
///   for the short pieces that make up almost all text;
/// - `mergeWithHeap` uses a linked list and a heap of (rank, position), so
///   long pieces (a 10k-character run of one letter) stay O(n log n).
extension RankLookup {
    /// Longer pieces use the heap (tiktoken switches at 100 bytes). The
    /// result is the same either way; only the cost differs.
    static let linearMergeLimit = 128

    /// Emits the ranks of the tokens of `piece`, whole-token fast path first.
    @inline(__always)
    func encodePiece(_ piece: UnsafePointer<UInt8>, _ count: Int, _ emit: (Int) -> Void) {
        let whole = rank(piece, count)
        if whole != RankTable.noRank {
            emit(Int(whole))
        } else if count <= Self.linearMergeLimit {
            mergeLinear(piece, count, emit)
        } else {
            mergeWithHeap(piece, count, emit)
        }
    }

    private struct Part {
        var start: Int
        var rank: UInt32
    }

    func mergeLinear(_ piece: UnsafePointer<UInt8>, _ count: Int, _ emit: (Int) -> Void) {
        if count == 1 {
            emit(Int(rank(piece, 1)))
            return
        }
        withUnsafeTemporaryAllocation(of: Part.self, capacity: count + 1) { parts in
            // parts[i].rank is the rank of merging part i with part i+1.
            var minRank = RankTable.noRank
            var minIndex = 0
            for i in 0..<(count - 1) {
                let r = rank(piece + i, 2)
                parts[i] = Part(start: i, rank: r)
                if r < minRank {
                    minRank = r
                    minIndex = i
                }
            }
            parts[count - 1] = Part(start: count - 1, rank: RankTable.noRank)
            parts[count] = Part(start: count, rank: RankTable.noRank)
            var length = count + 1

            // Rank of parts i, i+1 and i+2 taken as one token (tiktoken's
            // `get_rank`). It is called before part i+1 is removed, so for
            // the merge point i it is "merged part + successor" and for i-1
            // it is "predecessor + merged part".
            func spanRank(_ i: Int) -> UInt32 {
                guard i + 3 < length else { return RankTable.noRank }
                return rank(piece + parts[i].start, parts[i + 3].start - parts[i].start)
            }

            while minRank != RankTable.noRank {
                let i = minIndex
                if i > 0 { parts[i - 1].rank = spanRank(i - 1) }
                parts[i].rank = spanRank(i)
                // Remove part i+1 (its bytes now belong to part i).
                var k = i + 1
                while k < length - 1 {
                    parts[k] = parts[k + 1]
                    k += 1
                }
                length -= 1

                minRank = RankTable.noRank
                for j in 0..<(length - 1) where parts[j].rank < minRank {
                    minRank = parts[j].rank
                    minIndex = j
                }
            }
            for j in 0..<(length - 1) {
                emit(Int(rank(piece + parts[j].start, parts[j + 1].start - parts[j].start)))
            }
        }
    }

    func mergeWithHeap(_ piece: UnsafePointer<UInt8>, _ count: Int, _ emit: (Int) -> Void) {
        // Parts are identified by their first byte's position and linked
        // both ways (`next == count` is the end, `previous == -1` none).
        // `rank` is the rank of the part merged with its successor. A heap
        // entry is stale when its rank no longer equals the part's `rank`;
        // absorbed parts get `noRank`, so their entries are stale too. Every
        // current mergeable pair has exactly-matching entries in the heap.
        struct Node {
            var next: Int
            var previous: Int
            var rank: UInt32
        }
        let nodes = UnsafeMutableBufferPointer<Node>.allocate(capacity: count)
        defer { nodes.deallocate() }
        var heap = MinHeap(capacity: count)

        for i in 0..<count {
            let r = i + 1 < count ? rank(piece + i, 2) : RankTable.noRank
            nodes[i] = Node(next: i + 1, previous: i - 1, rank: r)
            if r != RankTable.noRank { heap.push(UInt64(r) << 32 | UInt64(i)) }
        }

        while let key = heap.popMin() {
            let r = UInt32(truncatingIfNeeded: key >> 32)
            let i = Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
            guard nodes[i].rank == r else { continue }
            let absorbed = nodes[i].next
            let newEnd = nodes[absorbed].next
            nodes[absorbed].rank = RankTable.noRank
            nodes[i].next = newEnd
            if newEnd < count { nodes[newEnd].previous = i }

            let before = nodes[i].previous
            if before >= 0 {
                let merged = rank(piece + before, newEnd - before)
                nodes[before].rank = merged
                if merged != RankTable.noRank { heap.push(UInt64(merged) << 32 | UInt64(before)) }
            }
            let following = newEnd < count ? rank(piece + i, nodes[newEnd].next - i) : RankTable.noRank
            nodes[i].rank = following
            if following != RankTable.noRank { heap.push(UInt64(following) << 32 | UInt64(i)) }
        }

        var i = 0
        while i < count {
            emit(Int(rank(piece + i, nodes[i].next - i)))
            i = nodes[i].next
        }
    }
}
