// Graph traversal: the greedy descent through the upper layers and the best-first search of one layer
// (the paper's Algorithm 2), shared by queries and inserts.
//
// Scores are similarities (higher is closer). The candidate heap is a min-heap keyed by -score so its
// top is the closest unexpanded node; the result heap is a min-heap keyed by score so its top is the
// worst hit kept, the one a better hit replaces.

/// Decides which nodes may enter a search's results. Every node, admitted or not, is still expanded
/// for navigation, so a filter narrows the answer without cutting the graph into pieces.
protocol NodeAdmission {
    /// False when every node is admitted. A search that may reject nodes keeps going until it holds
    /// `ef` admitted hits, instead of stopping at the first candidate worse than all its hits.
    var rejectsSome: Bool { get }
    func admits(_ node: Int32) -> Bool
}

/// Inserts and queries without a filter. Removed nodes are unlinked, so a walk only ever meets live ones.
struct AdmitAll: NodeAdmission {
    var rejectsSome: Bool { false }
    @inline(__always) func admits(_ node: Int32) -> Bool { true }
}

/// Queries with the caller's filter: the security-trimming path. The filter only ever sees live ids (a
/// walk never reaches a vacant row, the exact scan skips them), and a rejected node never reaches the
/// results, so no count or score can leak it.
struct AdmitFiltered: NodeAdmission {
    let ids: UnsafePointer<Int64>
    let filter: (Int64) -> Bool
    var rejectsSome: Bool { true }
    @inline(__always) func admits(_ node: Int32) -> Bool { filter(ids[Int(node)]) }
}

extension GraphView {
    /// Greedy walk on one layer: move to any closer neighbour until none is closer (ef = 1).
    func greedyClosest(
        to query: UnsafePointer<Float>, from start: Int32, score startScore: Float, layer: Int
    ) -> (node: Int32, score: Float) {
        var current = start
        var best = startScore
        var moved = true
        while moved {
            moved = false
            let list = links(current, layer: layer)
            let count = Int(list[0])
            var j = 1
            while j <= count {
                let neighbour = list[j]
                let s = score(query, neighbour)
                if s > best {
                    best = s
                    current = neighbour
                    moved = true
                }
                j &+= 1
            }
        }
        return (current, best)
    }

    /// Best-first search of `layer` from one entry node. On return `results` holds up to `ef` admitted
    /// nodes (a min-heap on score); `candidates` is left in an unspecified state.
    @inline(__always)
    func searchLayer<Admission: NodeAdmission>(
        query: UnsafePointer<Float>, entry: Int32, entryScore: Float, ef: Int, layer: Int,
        visited: VisitedSet, batch: UnsafeMutablePointer<Int32>, candidates: inout MinHeap,
        results: inout MinHeap, admission: Admission
    ) {
        _ = visited.insert(entry)
        candidates.push(HeapEntry(key: -entryScore, node: entry))
        if admission.admits(entry) { results.push(HeapEntry(key: entryScore, node: entry)) }
        // Score of the worst hit kept; -inf while there is none, so that anything gets in.
        var worst = results.isEmpty ? -Float.infinity : results.top.key
        let rejectsSome = admission.rejectsSome

        while !candidates.isEmpty {
            let current = candidates.pop()
            // Every unexpanded candidate is now worse than every hit: expanding more cannot help.
            // With rejections, only once the hits are complete (there may be no hit at all yet).
            if -current.key < worst && (results.count >= ef || !rejectsSome) { break }

            // Collect the unvisited neighbours first, then score them four at a time (see `dot4`).
            let list = links(current.node, layer: layer)
            let count = Int(list[0])
            var pending = 0
            var j = 1
            while j <= count {
                let neighbour = list[j]
                j &+= 1
                if visited.insert(neighbour) {
                    batch[pending] = neighbour
                    pending &+= 1
                }
            }

            @inline(__always)
            func consider(_ neighbour: Int32, _ s: Float) {
                guard results.count < ef || s > worst else { return }
                candidates.push(HeapEntry(key: -s, node: neighbour))
                guard admission.admits(neighbour) else { return }
                if results.count < ef {
                    results.push(HeapEntry(key: s, node: neighbour))
                } else {
                    results.replaceTop(HeapEntry(key: s, node: neighbour))
                }
                worst = results.top.key
            }

            // Touch each row's first cache line before scoring any: the loads are independent, so all
            // their misses overlap instead of surfacing one row at a time (a poor man's prefetch, which
            // Swift has no intrinsic for; worth ~5-10% QPS on an index larger than the caches). The
            // xor only keeps the loads from being optimised away; its value is written to the spare
            // batch slot and never read.
            var touched: UInt32 = 0
            var t = 0
            while t < pending {
                touched ^= UnsafeRawPointer(vector(batch[t])).load(as: UInt32.self)
                t &+= 1
            }
            batch[pending] = Int32(bitPattern: touched)

            var b = 0
            while b &+ 4 <= pending {
                let (n0, n1, n2, n3) = (batch[b], batch[b &+ 1], batch[b &+ 2], batch[b &+ 3])
                let scores = DotProduct.dot4(
                    query, vector(n0), vector(n1), vector(n2), vector(n3), count: dimensions)
                consider(n0, scores[0])
                consider(n1, scores[1])
                consider(n2, scores[2])
                consider(n3, scores[3])
                b &+= 4
            }
            while b < pending {
                consider(batch[b], score(query, batch[b]))
                b &+= 1
            }
        }
    }

    /// A query: greedy descent to layer 1, then a search of layer 0 with `ef` >= k.
    func search<Admission: NodeAdmission>(
        query: UnsafePointer<Float>, k: Int, ef: Int, entryPoint: Int32, maxLevel: Int,
        scratch: SearchScratch, admission: Admission
    ) -> [VectorMatch] {
        var entry = entryPoint
        var entryScore = score(query, entry)
        var layer = maxLevel
        while layer > 0 {
            (entry, entryScore) = greedyClosest(to: query, from: entry, score: entryScore, layer: layer)
            layer -= 1
        }
        let visited = scratch.beginVisit(nodeCount: nodeCount)
        return scratch.withHeaps { candidates, results in
            searchLayer(
                query: query, entry: entry, entryScore: entryScore, ef: max(ef, k), layer: 0,
                visited: visited, batch: scratch.neighbourBatch, candidates: &candidates,
                results: &results, admission: admission)
            return drainBest(&results, k: k)
        }
    }

    /// Empties a result heap into matches, best first, keeping at most `k`.
    func drainBest(_ results: inout MinHeap, k: Int) -> [VectorMatch] {
        while results.count > k { _ = results.pop() }
        let count = results.count
        return [VectorMatch](unsafeUninitializedCapacity: count) { buffer, initialized in
            var i = count
            while !results.isEmpty {
                i -= 1
                let hit = results.pop()
                (buffer.baseAddress! + i).initialize(to: VectorMatch(id: ids[Int(hit.node)], score: hit.key))
            }
            initialized = count
        }
    }
}
