// The public face of the vector index: a thread-safe HNSW graph over L2-normalised Float vectors,
// scored by cosine similarity (the dot product of normalised vectors).

import Foundation

/// Approximate nearest-neighbour index (Malkov & Yashunin's HNSW) for cosine similarity.
///
/// Vectors must be L2-normalised by the caller: the score is their dot product, which is the cosine only
/// for unit vectors. Any number of searches run at once; `insert`, `remove` and `setEfSearch` each run
/// alone (a reader-writer lock). A filter passed to a search runs while that lock is held, so it must
/// not call back into the same index.
///
/// Plain `Sendable` (checked by the compiler): every stored property is an immutable reference to a
/// `Sendable` object that does its own locking.
public final class HNSWIndex: Sendable {
    public let dimensions: Int
    private let state: ReadWriteLocked<HNSWGraph>
    private let scratchPool = ScratchPool()

    /// An empty index. `dimensions` must be positive; out-of-range parameters are clamped (m to 2...256,
    /// efConstruction to at least m, efSearch to at least 1).
    public init(dimensions: Int, parameters: HNSWParameters = .init()) {
        precondition(dimensions > 0, "an HNSW index needs at least one dimension")
        self.dimensions = dimensions
        state = ReadWriteLocked(HNSWGraph(dimensions: dimensions, parameters: parameters))
    }

    /// Wraps a graph read from a file.
    init(graph: HNSWGraph) {
        dimensions = graph.dimensions
        state = ReadWriteLocked(graph)
    }

    /// Live (not removed) vectors.
    public var count: Int { state.read { $0.liveCount } }

    /// Rows held, vacant ones included (removed nodes' rows, erased, kept for later inserts to reuse).
    public var storedNodeCount: Int { state.read { $0.nodeCount } }

    /// The parameters in use (after clamping).
    public var parameters: HNSWParameters { state.read { $0.parameters } }

    /// Changes the default query breadth; the graph itself does not depend on it.
    public func setEfSearch(_ efSearch: Int) {
        state.write { graph in
            var parameters = graph.parameters
            parameters.efSearch = efSearch
            graph.parameters = parameters.normalised
        }
    }

    public func contains(_ id: Int64) -> Bool {
        state.read { $0.nodeOf[id] != nil }
    }

    /// Pre-allocates room for `count` nodes in all, so that a bulk load does not regrow its arrays
    /// (the vector array would otherwise peak at up to twice its final size while it is copied).
    public func reserveCapacity(_ count: Int) {
        state.write { $0.reserveCapacity(max(count, 0)) }
    }

    /// Adds `vector` under `id`, replacing the id's current vector if it has one (the old node is
    /// removed). Throws on a wrong dimension count or a NaN/infinite component, changing nothing.
    public func insert(id: Int64, vector: [Float]) throws {
        guard vector.count == dimensions else {
            throw HNSWError.dimensionMismatch(expected: dimensions, actual: vector.count)
        }
        if let position = vector.firstIndex(where: { !$0.isFinite }) {
            throw HNSWError.nonFiniteValue(position: position)
        }
        let scratch = scratchPool.take(nodeCount: 0)
        defer { scratchPool.giveBack(scratch) }
        try state.write { graph in
            guard graph.nodeCount < HNSWGraph.maxNodes || !graph.vacantRows.isEmpty else {
                throw HNSWError.capacityExceeded
            }
            graph.remove(ids: CollectionOfOne(id), scratch: scratch)
            try vector.withUnsafeBufferPointer { buffer in
                try graph.insertNode(id: id, vector: buffer, scratch: scratch)
            }
        }
    }

    /// Removes `id`: no search returns it again, and its vector and id are erased from memory and from
    /// any later save. Unknown ids are ignored.
    public func remove(id: Int64) {
        remove(ids: CollectionOfOne(id))
    }

    /// Removes many ids at once. Finding the links into removed nodes reads every link list of the graph,
    /// once per call rather than once per id, so a batch is much cheaper than its ids one by one.
    public func remove(ids: some Sequence<Int64>) {
        let scratch = scratchPool.take(nodeCount: 0)
        defer { scratchPool.giveBack(scratch) }
        state.write { _ = $0.remove(ids: ids, scratch: scratch) }
    }

    /// The (approximately) `k` most similar live vectors, best first.
    ///
    /// `filter` is applied during the graph walk: a node it rejects still guides the walk but never
    /// enters the results, so the answer holds up to `k` admitted ids and nothing about the others.
    /// A very selective filter makes the walk visit much of the graph; prefer
    /// `exactSearch(_:k:among:)` when the admitted ids are few and known.
    /// Returns [] for k <= 0, an empty index, or a query of the wrong dimension count.
    public func search(
        _ query: [Float], k: Int, efSearch: Int? = nil, filter: ((Int64) -> Bool)? = nil
    ) -> [VectorMatch] {
        guard k > 0, query.count == dimensions else { return [] }
        return withQuery(query) { graph, view, pointer, scratch in
            let ef = min(max(efSearch ?? graph.parameters.efSearch, 1), HNSWParameters.efLimit)
            let (entry, top) = (graph.entryPoint, graph.maxLevel)
            if let filter {
                let admission = AdmitFiltered(ids: view.ids, filter: filter)
                return view.search(
                    query: pointer, k: k, ef: ef, entryPoint: entry, maxLevel: top,
                    scratch: scratch, admission: admission)
            }
            return view.search(
                query: pointer, k: k, ef: ef, entryPoint: entry, maxLevel: top,
                scratch: scratch, admission: AdmitAll())
        }
    }

    /// The exact `k` most similar live vectors admitted by `filter`, by scoring every one.
    /// Equal scores are ordered by ascending id.
    public func exactSearch(_ query: [Float], k: Int, filter: ((Int64) -> Bool)? = nil) -> [VectorMatch] {
        guard k > 0, query.count == dimensions else { return [] }
        return withQuery(query) { _, view, pointer, scratch in
            if let filter {
                let admission = AdmitFiltered(ids: view.ids, filter: filter)
                return view.exactSearch(query: pointer, k: k, scratch: scratch, admission: admission)
            }
            return view.exactSearch(query: pointer, k: k, scratch: scratch, admission: AdmitAll())
        }
    }

    /// The exact `k` most similar among the given ids (brute force over them only): the plan for a very
    /// selective filter whose admitted ids are known. Unknown or removed ids are skipped; duplicates
    /// count once. The sequence is iterated while the read lock is held.
    public func exactSearch(_ query: [Float], k: Int, among ids: some Sequence<Int64>) -> [VectorMatch] {
        guard k > 0, query.count == dimensions else { return [] }
        return withQuery(query) { graph, view, pointer, scratch in
            view.exactSearch(query: pointer, k: k, among: ids, nodeOf: graph.nodeOf, scratch: scratch)
        }
    }

    /// Bytes held by the vectors, the graph, the id map and the idle search scratch buffers.
    public var approximateMemoryBytes: Int {
        state.read { $0.allocatedBytes } + scratchPool.allocatedBytes
    }

    /// Shared set-up of every query: the read lock, a scratch, and raw pointers to graph and query.
    private func withQuery(
        _ query: [Float],
        _ body: (borrowing HNSWGraph, GraphView, UnsafePointer<Float>, SearchScratch) -> [VectorMatch]
    ) -> [VectorMatch] {
        state.read { graph in
            // With nothing live there is no entry point (rows may remain, all vacant).
            guard graph.entryPoint >= 0 else { return [] }
            let scratch = scratchPool.take(nodeCount: graph.nodeCount)
            defer { scratchPool.giveBack(scratch) }
            return graph.withView { view in
                query.withUnsafeBufferPointer { buffer in
                    body(graph, view, buffer.baseAddress!, scratch)
                }
            }
        }
    }

    /// Saves the index and the caller's `watermark` (the position in its own change log that the index
    /// reflects) atomically: to `<url>.tmp`, flushed to disk, then renamed over `url`. Searches go on
    /// while it writes; inserts and removes wait.
    public func write(to url: URL, watermark: Int64) throws {
        try state.read { graph in try HNSWFile.write(graph, watermark: watermark, to: url) }
    }

    /// Loads an index saved by `write(to:watermark:)` without rebuilding the graph. Throws `HNSWError`
    /// on a missing, truncated, damaged or foreign file.
    public static func read(from url: URL) throws -> (index: HNSWIndex, watermark: Int64) {
        let (graph, watermark) = try HNSWFile.read(from: url)
        return (HNSWIndex(graph: graph), watermark)
    }
}
