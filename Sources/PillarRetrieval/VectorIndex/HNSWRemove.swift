// Removal: a removed node is unlinked from the graph, its links repaired around it, and its row erased.
//
// A deleted document must leave no trace, so a removed node cannot stay behind as a routing point. Links
// are one-way and the heuristic prunes back links, so the nodes that point at a removed one are not its own
// neighbours: finding them takes one pass over every link list, which is why removals come in batches.
// Each such list loses the removed node and is refilled from the removed node's own neighbours, chosen by
// the insert's heuristic (as hnswlib's repairConnectionsForUpdate refills the lists around an updated
// node), so the region stays as well connected as it was. The row is then zeroed and left vacant for a
// later insert.

extension HNSWGraph {
    /// Removes the live nodes of `ids`; returns how many there were. Unknown ids are ignored.
    @discardableResult
    mutating func remove(ids: some Sequence<Int64>, scratch: SearchScratch) -> Int {
        var removed: [Int32] = []
        var top = 0
        for id in ids {
            guard let node = nodeOf.removeValue(forKey: id) else { continue }
            vacant[Int(node)] = true
            removed.append(node)
            top = max(top, Int(levels[Int(node)]))
        }
        guard !removed.isEmpty else { return 0 }

        // A copy, so that reading it does not overlap the mutable view's access to `self`.
        let levels = self.levels
        let m = self.m
        levels.withUnsafeBufferPointer { levels in
            withMutableView { view in
                for layer in 0...top {
                    view.unlinkVacant(
                        layer: layer, levels: levels.nonNilBase, maxLinks: layer == 0 ? 2 * m : m,
                        scratch: scratch)
                }
            }
        }
        if vacant[Int(entryPoint)] { replaceEntryPoint() }
        for node in removed { erase(node) }
        vacantRows.append(contentsOf: removed)
        vacantRows.sort(by: >)
        return removed.count
    }

    /// The entry point was removed: any live node on the highest layer that still has one takes over, or
    /// none when nothing is left.
    private mutating func replaceEntryPoint() {
        entryPoint = -1
        maxLevel = -1
        for node in 0..<nodeCount where !vacant[node] && Int(levels[node]) > maxLevel {
            entryPoint = Int32(node)
            maxLevel = Int(levels[node])
        }
    }

    /// Zeroes a removed node's vector, id and link lists: nothing of it stays in memory or reaches the file.
    private mutating func erase(_ node: Int32) {
        let row = Int(node)
        vectors.replaceSubrange(row * dimensions..<(row + 1) * dimensions, with: repeatElement(0, count: dimensions))
        ids[row] = 0
        links0.replaceSubrange(row * stride0..<(row + 1) * stride0, with: repeatElement(0, count: stride0))
        let upper = Int(upperOffsets[row])
        let upperCount = Int(levels[row]) * strideUpper
        upperLinks.replaceSubrange(upper..<upper + upperCount, with: repeatElement(0, count: upperCount))
    }
}

extension GraphView {
    /// Repairs every live node's list on `layer` that links to a node just marked vacant. The vacant nodes'
    /// own lists are still intact here: they are what the repairs draw from.
    func unlinkVacant(layer: Int, levels: UnsafePointer<UInt8>, maxLinks: Int, scratch: SearchScratch) {
        var pool = ContiguousArray<HeapEntry>()
        var chosen = ContiguousArray<HeapEntry>()
        var node: Int32 = 0
        let end = Int32(nodeCount)
        while node < end {
            if !vacant[Int(node)] && Int(levels[Int(node)]) >= layer && linksToVacant(node, layer: layer) {
                gatherReplacements(for: node, layer: layer, scratch: scratch, into: &pool)
                selectNeighbours(from: pool, maxCount: maxLinks, into: &chosen)
                let list = links(node, layer: layer)
                list[0] = Int32(chosen.count)
                for (slot, neighbour) in chosen.enumerated() {
                    list[slot + 1] = neighbour.node
                }
            }
            node &+= 1
        }
    }

    @inline(__always)
    private func linksToVacant(_ node: Int32, layer: Int) -> Bool {
        let list = links(node, layer: layer)
        let count = Int(list[0])
        var j = 1
        while j <= count {
            if vacant[Int(list[j])] { return true }
            j &+= 1
        }
        return false
    }

    /// The candidates for `node`'s repaired list, best first: its live neighbours, and in place of each
    /// vacant one that one's live neighbours, each once.
    private func gatherReplacements(
        for node: Int32, layer: Int, scratch: SearchScratch, into pool: inout ContiguousArray<HeapEntry>
    ) {
        pool.removeAll(keepingCapacity: true)
        let list = links(node, layer: layer)
        let seen = scratch.beginVisit(nodeCount: nodeCount)
        _ = seen.insert(node)
        let base = vector(node)
        func offer(_ candidate: Int32) {
            guard !vacant[Int(candidate)], seen.insert(candidate) else { return }
            pool.append(HeapEntry(key: score(base, candidate), node: candidate))
        }
        for j in 1...Int(list[0]) {
            let neighbour = list[j]
            guard vacant[Int(neighbour)] else {
                offer(neighbour)
                continue
            }
            let second = links(neighbour, layer: layer)
            for k in stride(from: 1, through: Int(second[0]), by: 1) { offer(second[k]) }
        }
        pool.sort { $0.key > $1.key }
    }
}
