// The HNSW graph's storage: flat arrays, no per-node objects.
//
// Every node is an Int32 number, its row in each array. A removed node is unlinked from the graph and
// erased (see HNSWRemove.swift); its row stays, vacant, until an insert reuses it, so node numbers never
// shift under the link lists. Flat arrays keep a node's vector and its layer-0 links each in one
// contiguous run, which is what the search's memory traffic is made of, and let the file format be the
// arrays themselves.

/// Plain value; `HNSWIndex` keeps it inside a reader-writer lock, so it needs no locking of its own.
struct HNSWGraph: Sendable {
    let dimensions: Int
    /// Already normalised; only `efSearch` ever changes.
    var parameters: HNSWParameters
    var rng: SplitMix64

    /// Row `n` (node n's vector) is `vectors[n * dimensions ..< (n + 1) * dimensions]`.
    var vectors: ContiguousArray<Float> = []
    /// Top layer of each node (it is on layers 0...level).
    var levels: ContiguousArray<UInt8> = []
    /// The caller's id of each node (0 in a vacant row).
    var ids: ContiguousArray<Int64> = []
    /// Vacant rows: removed nodes, zeroed and linked from nowhere, so no search ever reaches one.
    var vacant: ContiguousArray<Bool> = []
    /// The vacant rows, highest first, so that `popLast` reuses the lowest: the order then depends only on
    /// which rows are vacant, and a graph read from its file goes on exactly as the one that wrote it.
    var vacantRows: [Int32] = []
    /// Layer 0: node n's list is `links0[n * stride0 ..< (n + 1) * stride0]`, its count then 2·M slots.
    var links0: ContiguousArray<Int32> = []
    /// Layers 1...level of node n: `level` blocks of `strideUpper` (a count then M slots) starting at
    /// `upperOffsets[n]`. Only about one node in M has any, so they share one array instead of paying
    /// a layer-sized array per layer. Offsets are derived from `levels`, so the file does not store them.
    var upperOffsets: ContiguousArray<Int32> = []
    var upperLinks: ContiguousArray<Int32> = []
    /// Live ids only; a removed id is absent, so `nodeOf.count` is the live count.
    var nodeOf: [Int64: Int32] = [:]
    /// Where every search starts: a node on the top layer, or -1 while the graph is empty.
    var entryPoint: Int32 = -1
    var maxLevel = -1

    init(dimensions: Int, parameters: HNSWParameters) {
        self.dimensions = dimensions
        self.parameters = parameters.normalised
        rng = SplitMix64(seed: parameters.seed)
    }

    var m: Int { parameters.m }
    var stride0: Int { 1 + 2 * parameters.m }
    var strideUpper: Int { 1 + parameters.m }
    var nodeCount: Int { ids.count }
    var liveCount: Int { nodeOf.count }

    /// Nodes the graph can still take: node numbers and upper-link offsets are Int32.
    static let maxNodes = Int(Int32.max) - 1

    mutating func reserveCapacity(_ nodes: Int) {
        vectors.reserveCapacity(nodes * dimensions)
        levels.reserveCapacity(nodes)
        ids.reserveCapacity(nodes)
        vacant.reserveCapacity(nodes)
        links0.reserveCapacity(nodes * stride0)
        upperOffsets.reserveCapacity(nodes)
        // About nodes / (M - 1) upper blocks are expected in all (a geometric series of ratio 1/M).
        upperLinks.reserveCapacity(nodes / max(m - 1, 1) * strideUpper + strideUpper)
        nodeOf.reserveCapacity(nodes)
    }

    /// Bytes allocated by the arrays and the id dictionary (capacities, not counts: what the process pays).
    var allocatedBytes: Int {
        let arrays =
            vectors.capacity * 4 + levels.capacity + ids.capacity * 8 + vacant.capacity
            + (links0.capacity + upperOffsets.capacity + upperLinks.capacity + vacantRows.capacity) * 4
        // A native Dictionary keeps a power-of-two bucket count at most 3/4 full, each bucket holding a
        // key and a value, plus one occupancy bit per bucket.
        var buckets = 1
        while buckets * 3 < nodeOf.capacity * 4 { buckets <<= 1 }
        let dictionary = buckets * (MemoryLayout<Int64>.stride + MemoryLayout<Int32>.stride) + buckets / 8
        return arrays + dictionary
    }

    /// Runs `body` on raw pointers into the arrays, for searches. `body` must not write through the
    /// view's link pointers: they come from a shared borrow (`read` lock), and `UnsafeMutablePointer`
    /// is only there so that searches and inserts can share one view type.
    func withView<Result>(_ body: (GraphView) throws -> Result) rethrows -> Result {
        try vectors.withUnsafeBufferPointer { v in
            try links0.withUnsafeBufferPointer { l0 in
                try upperLinks.withUnsafeBufferPointer { up in
                    try upperOffsets.withUnsafeBufferPointer { offsets in
                        try vacant.withUnsafeBufferPointer { vacancy in
                            try ids.withUnsafeBufferPointer { idBuffer in
                                try body(
                                    GraphView(
                                        vectors: v.nonNilBase, links0: UnsafeMutablePointer(mutating: l0.nonNilBase),
                                        upperLinks: UnsafeMutablePointer(mutating: up.nonNilBase),
                                        upperOffsets: offsets.nonNilBase, vacant: vacancy.nonNilBase,
                                        ids: idBuffer.nonNilBase, dimensions: dimensions, stride0: stride0,
                                        strideUpper: strideUpper, nodeCount: nodeCount))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Like `withView`, but the link pointers may be written: inserts rewire neighbours' lists in place.
    mutating func withMutableView<Result>(_ body: (GraphView) throws -> Result) rethrows -> Result {
        let (dimensions, stride0, strideUpper, nodeCount) = (dimensions, stride0, strideUpper, nodeCount)
        return try links0.withUnsafeMutableBufferPointer { l0 in
            try upperLinks.withUnsafeMutableBufferPointer { up in
                try vectors.withUnsafeBufferPointer { v in
                    try upperOffsets.withUnsafeBufferPointer { offsets in
                        try vacant.withUnsafeBufferPointer { vacancy in
                            try ids.withUnsafeBufferPointer { idBuffer in
                                try body(
                                    GraphView(
                                        vectors: v.nonNilBase, links0: l0.nonNilMutableBase,
                                        upperLinks: up.nonNilMutableBase, upperOffsets: offsets.nonNilBase,
                                        vacant: vacancy.nonNilBase, ids: idBuffer.nonNilBase,
                                        dimensions: dimensions, stride0: stride0, strideUpper: strideUpper,
                                        nodeCount: nodeCount))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Raw pointers into an `HNSWGraph`, valid only inside `withView`/`withMutableView`. The search and insert
/// algorithms are written against this so their inner loops are plain pointer arithmetic.
struct GraphView {
    let vectors: UnsafePointer<Float>
    let links0: UnsafeMutablePointer<Int32>
    let upperLinks: UnsafeMutablePointer<Int32>
    let upperOffsets: UnsafePointer<Int32>
    let vacant: UnsafePointer<Bool>
    let ids: UnsafePointer<Int64>
    let dimensions: Int
    let stride0: Int
    let strideUpper: Int
    let nodeCount: Int

    @inline(__always)
    func vector(_ node: Int32) -> UnsafePointer<Float> {
        vectors + Int(node) &* dimensions
    }

    /// Node's link list on `layer`: element 0 is the count, the neighbours follow. The node must be on
    /// that layer (level >= layer); the file reader checks that every stored link respects this.
    @inline(__always)
    func links(_ node: Int32, layer: Int) -> UnsafeMutablePointer<Int32> {
        if layer == 0 { return links0 + Int(node) &* stride0 }
        return upperLinks + (Int(upperOffsets[Int(node)]) &+ (layer &- 1) &* strideUpper)
    }

    @inline(__always)
    func score(_ query: UnsafePointer<Float>, _ node: Int32) -> Float {
        DotProduct.dot(query, vector(node), count: dimensions)
    }
}

extension UnsafeBufferPointer {
    /// An empty buffer may have no base address; the view never reads from an empty array, so any
    /// aligned non-null address will do there.
    var nonNilBase: UnsafePointer<Element> {
        baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Element>.alignment)!
    }
}

extension UnsafeMutableBufferPointer {
    var nonNilMutableBase: UnsafeMutablePointer<Element> {
        baseAddress ?? UnsafeMutablePointer(bitPattern: MemoryLayout<Element>.alignment)!
    }
}
