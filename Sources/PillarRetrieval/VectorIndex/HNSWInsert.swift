// Insertion (the paper's Algorithm 1) with its neighbour-selection heuristic (Algorithm 4).
//
// The heuristic is what keeps recall high on clustered data such as text embeddings: a candidate is
// linked only if it is closer to the new node than to every neighbour already chosen, so links spread
// out in different directions instead of all pointing into the nearest cluster.

extension HNSWGraph {
    /// Stores a node for `id`, in the lowest vacant row if there is one, and links it into every layer up
    /// to its level. The caller has validated the vector and removed any live node of the same id.
    mutating func insertNode(id: Int64, vector: UnsafeBufferPointer<Float>, scratch: SearchScratch) throws(HNSWError) {
        let node: Int32
        let level: Int
        if let row = vacantRows.popLast() {
            // The row keeps the level it was laid out for (its upper-link blocks are sized by it). That
            // level was drawn from the same distribution as a new one, so the layers keep their shape.
            node = row
            level = Int(levels[Int(row)])
            let start = Int(row) * dimensions
            vectors.replaceSubrange(start..<start + dimensions, with: vector)
            ids[Int(row)] = id
            vacant[Int(row)] = false
        } else {
            level = LevelGenerator.level(using: &rng, m: m)
            guard nodeCount < Self.maxNodes, upperLinks.count + level * strideUpper <= Int(Int32.max) else {
                throw .capacityExceeded
            }
            node = Int32(nodeCount)
            vectors.append(contentsOf: vector)
            levels.append(UInt8(level))
            ids.append(id)
            vacant.append(false)
            links0.append(contentsOf: repeatElement(0, count: stride0))
            upperOffsets.append(Int32(upperLinks.count))
            upperLinks.append(contentsOf: repeatElement(0, count: level * strideUpper))
        }
        nodeOf[id] = node

        guard entryPoint >= 0 else {
            entryPoint = node
            maxLevel = level
            return
        }
        let (entry, top, m, efConstruction) = (entryPoint, maxLevel, m, parameters.efConstruction)
        withMutableView { view in
            view.link(
                node, level: level, entryPoint: entry, maxLevel: top, m: m,
                efConstruction: efConstruction, scratch: scratch)
        }
        if level > maxLevel {
            entryPoint = node
            maxLevel = level
        }
    }
}

extension GraphView {
    /// Connects `node` (already stored, with empty lists) to its neighbours on layers 0...level.
    func link(
        _ node: Int32, level: Int, entryPoint: Int32, maxLevel: Int, m: Int, efConstruction: Int,
        scratch: SearchScratch
    ) {
        let query = vector(node)
        var entry = entryPoint
        var entryScore = score(query, entry)
        var layer = maxLevel
        while layer > level {
            (entry, entryScore) = greedyClosest(to: query, from: entry, score: entryScore, layer: layer)
            layer -= 1
        }

        // Reused across layers: the search's hits, best first, and the chosen subset.
        var found = ContiguousArray<HeapEntry>()
        found.reserveCapacity(efConstruction)
        var chosen = ContiguousArray<HeapEntry>()
        chosen.reserveCapacity(2 * m + 1)

        while layer >= 0 {
            let visited = scratch.beginVisit(nodeCount: nodeCount)
            scratch.withHeaps { candidates, results in
                // Removed nodes are unlinked from the graph, so every node the walk meets is live.
                searchLayer(
                    query: query, entry: entry, entryScore: entryScore, ef: efConstruction, layer: layer,
                    visited: visited, batch: scratch.neighbourBatch, candidates: &candidates,
                    results: &results, admission: AdmitAll())
                found.removeAll(keepingCapacity: true)
                while !results.isEmpty { found.append(results.pop()) }
                found.reverse()
            }
            selectNeighbours(from: found, maxCount: m, into: &chosen)

            let list = links(node, layer: layer)
            list[0] = Int32(chosen.count)
            for (slot, neighbour) in chosen.enumerated() {
                list[slot + 1] = neighbour.node
            }
            let maxLinks = layer == 0 ? 2 * m : m
            for neighbour in chosen {
                addLink(from: neighbour.node, to: node, layer: layer, maxLinks: maxLinks)
            }
            // The closest hit is the best entry for the layer below.
            entry = found[0].node
            entryScore = found[0].key
            layer -= 1
        }
    }

    /// Algorithm 4 without candidate extension, as in hnswlib. `candidates` are sorted best first, keyed
    /// by their similarity to the base node; a candidate is kept unless it is more similar to an
    /// already-kept neighbour than to the base node. With no more candidates than room, all are kept.
    func selectNeighbours(
        from candidates: ContiguousArray<HeapEntry>, maxCount: Int, into chosen: inout ContiguousArray<HeapEntry>
    ) {
        chosen.removeAll(keepingCapacity: true)
        if candidates.count <= maxCount {
            chosen.append(contentsOf: candidates)
            return
        }
        for candidate in candidates {
            if isDiverse(candidate, from: chosen) {
                chosen.append(candidate)
                if chosen.count == maxCount { break }
            }
        }
    }

    /// Whether `candidate` is less similar to every kept neighbour than to the base node. Kept neighbours
    /// are compared four at a time (`dot4`): a little wasted work when the first one already rules the
    /// candidate out, much less time waiting on memory otherwise.
    @inline(__always)
    private func isDiverse(_ candidate: HeapEntry, from chosen: ContiguousArray<HeapEntry>) -> Bool {
        let candidateVector = vector(candidate.node)
        let limit = SIMD4<Float>(repeating: candidate.key)
        var i = 0
        while i + 4 <= chosen.count {
            let scores = DotProduct.dot4(
                candidateVector, vector(chosen[i].node), vector(chosen[i + 1].node),
                vector(chosen[i + 2].node), vector(chosen[i + 3].node), count: dimensions)
            if any(scores .> limit) { return false }
            i += 4
        }
        while i < chosen.count {
            if DotProduct.dot(candidateVector, vector(chosen[i].node), count: dimensions) > candidate.key { return false }
            i += 1
        }
        return true
    }

    /// Adds the back link from → to. A full list is re-selected with the heuristic over its old links plus
    /// the new one, which may drop a link (possibly the new one): degree stays bounded.
    func addLink(from node: Int32, to newNeighbour: Int32, layer: Int, maxLinks: Int) {
        let list = links(node, layer: layer)
        let count = Int(list[0])
        if count < maxLinks {
            list[count + 1] = newNeighbour
            list[0] = Int32(count + 1)
            return
        }
        let base = vector(node)
        var pool = ContiguousArray<HeapEntry>()
        pool.reserveCapacity(count + 1)
        pool.append(HeapEntry(key: score(base, newNeighbour), node: newNeighbour))
        for j in 1...count {
            pool.append(HeapEntry(key: score(base, list[j]), node: list[j]))
        }
        pool.sort { $0.key > $1.key }
        var chosen = ContiguousArray<HeapEntry>()
        chosen.reserveCapacity(maxLinks)
        selectNeighbours(from: pool, maxCount: maxLinks, into: &chosen)
        list[0] = Int32(chosen.count)
        for (slot, neighbour) in chosen.enumerated() {
            list[slot + 1] = neighbour.node
        }
    }
}
