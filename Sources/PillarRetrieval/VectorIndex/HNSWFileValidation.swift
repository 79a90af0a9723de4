// Structural checks on a graph read from a file, and the state derived from it.
//
// Searches walk the graph with unchecked pointer arithmetic, so a loaded graph must satisfy every
// invariant that arithmetic relies on. A file that passes its checksum but was written by a buggy or
// hostile writer must still be rejected here rather than read out of bounds later.

enum HNSWFileValidation {
    /// Checks levels, links, ids and the entry point, and rebuilds the upper-link offsets, the id map and
    /// the list of vacant rows.
    static func rebuildDerivedState(of graph: inout HNSWGraph, expectedLive: Int) throws(HNSWError) {
        let nodes = graph.nodeCount
        let m = graph.m
        let strideUpper = graph.strideUpper

        // Levels → upper offsets (a running sum), checked against the stored upper-link count.
        var offsets = ContiguousArray<Int32>()
        offsets.reserveCapacity(nodes)
        var upperTotal = 0
        // The highest layer of a live node: vacant rows keep their level but are on no layer any more.
        var highest = -1
        for (node, level) in graph.levels.enumerated() {
            guard Int(level) <= LevelGenerator.maxLevel else { throw .corruptFile("level \(level) too high") }
            offsets.append(Int32(truncatingIfNeeded: upperTotal))
            upperTotal += Int(level) * strideUpper
            guard upperTotal <= Int(Int32.max) else { throw .corruptFile("upper links overflow") }
            if !graph.vacant[node] { highest = max(highest, Int(level)) }
        }
        guard upperTotal == graph.upperLinks.count else {
            throw .corruptFile("levels need \(upperTotal) upper links, file has \(graph.upperLinks.count)")
        }
        graph.upperOffsets = offsets

        // Entry point: a live node on the top layer, or none at all when no node is live.
        if highest < 0 {
            guard graph.entryPoint == -1, graph.maxLevel == -1 else { throw .corruptFile("entry point in an empty graph") }
        } else {
            guard graph.entryPoint >= 0, Int(graph.entryPoint) < nodes, !graph.vacant[Int(graph.entryPoint)],
                graph.maxLevel == highest, Int(graph.levels[Int(graph.entryPoint)]) == highest
            else {
                throw .corruptFile("entry point \(graph.entryPoint) at max level \(graph.maxLevel) is not on the top layer")
            }
        }

        try checkLinks(
            graph.links0, stride: graph.stride0, lists: nodes, capacity: 2 * m, layer: 0,
            levels: graph.levels, vacant: graph.vacant)
        try checkUpperLinks(graph, m: m)

        // Live ids must be unique: two live nodes with one id would make removal leave one behind.
        var nodeOf = [Int64: Int32]()
        nodeOf.reserveCapacity(expectedLive)
        var vacantRows: [Int32] = []
        for node in 0..<nodes {
            guard !graph.vacant[node] else {
                vacantRows.append(Int32(node))
                continue
            }
            guard nodeOf.updateValue(Int32(node), forKey: graph.ids[node]) == nil else {
                throw .corruptFile("id \(graph.ids[node]) is live twice")
            }
        }
        guard nodeOf.count == expectedLive else {
            throw .corruptFile("header says \(expectedLive) live vectors, vacant rows leave \(nodeOf.count)")
        }
        graph.nodeOf = nodeOf
        graph.vacantRows = vacantRows.reversed()
    }

    /// Every list of a flat link array: a count within capacity (none for a vacant row), and neighbours
    /// that exist on `layer` and are not vacant, so a walk never reaches a removed node.
    private static func checkLinks(
        _ links: ContiguousArray<Int32>, stride: Int, lists: Int, capacity: Int, layer: Int,
        levels: ContiguousArray<UInt8>, vacant: ContiguousArray<Bool>
    ) throws(HNSWError) {
        for list in 0..<lists {
            try checkList(
                links, at: list * stride, owner: list, capacity: capacity, layer: layer,
                levels: levels, vacant: vacant)
        }
    }

    /// Upper layers: node n's blocks, one per layer 1...level, each checked like a layer-0 list.
    private static func checkUpperLinks(_ graph: HNSWGraph, m: Int) throws(HNSWError) {
        let strideUpper = graph.strideUpper
        for node in 0..<graph.nodeCount {
            let level = Int(graph.levels[node])
            guard level > 0 else { continue }
            for layer in 1...level {
                try checkList(
                    graph.upperLinks, at: Int(graph.upperOffsets[node]) + (layer - 1) * strideUpper,
                    owner: node, capacity: m, layer: layer, levels: graph.levels, vacant: graph.vacant)
            }
        }
    }

    private static func checkList(
        _ links: ContiguousArray<Int32>, at base: Int, owner: Int, capacity: Int, layer: Int,
        levels: ContiguousArray<UInt8>, vacant: ContiguousArray<Bool>
    ) throws(HNSWError) {
        let count = Int(links[base])
        guard count >= 0, count <= (vacant[owner] ? 0 : capacity) else {
            throw .corruptFile("link count \(count) on layer \(layer)")
        }
        for j in 1..<(1 + count) {
            let neighbour = links[base + j]
            guard neighbour >= 0, Int(neighbour) < levels.count, Int(levels[Int(neighbour)]) >= layer,
                !vacant[Int(neighbour)]
            else {
                throw .corruptFile("link to node \(neighbour) on layer \(layer)")
            }
        }
    }
}
