// Per-search working memory, reused across searches so that a query allocates nothing but its result.
//
// A search needs a visited set over every node and two heaps. Allocating them per query would cost more
// than the query on small indexes and churn the allocator on big ones, so each search borrows a
// `SearchScratch` from a pool and gives it back. The buffers are raw pointers: the hot loop then pays
// no bounds checks, no uniqueness checks and no exclusivity checks, which a class's array properties
// would each add on every access.

import Synchronization

/// A (key, node) pair; the heaps order by key only.
struct HeapEntry {
    var key: Float
    var node: Int32
}

/// Binary min-heap over a buffer it does not own. Whoever copies it out of `SearchScratch` must store it
/// back (see `SearchScratch.withBuffers`), because `push` may move it to a bigger buffer and free the old.
struct MinHeap {
    private(set) var base: UnsafeMutablePointer<HeapEntry>
    private(set) var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func deallocate() { base.deallocate() }

    var isEmpty: Bool { count == 0 }
    /// The smallest key; only valid when not empty.
    var top: HeapEntry { base[0] }

    mutating func removeAll() { count = 0 }

    mutating func push(_ entry: HeapEntry) {
        if count == capacity { grow() }
        var i = count
        count &+= 1
        while i > 0 {
            let parent = (i &- 1) >> 1
            if base[parent].key <= entry.key { break }
            base[i] = base[parent]
            i = parent
        }
        base[i] = entry
    }

    /// Removes and returns the smallest entry; the heap must not be empty.
    mutating func pop() -> HeapEntry {
        let result = base[0]
        count &-= 1
        if count > 0 { siftDown(base[count]) }
        return result
    }

    /// Pops the smallest entry and pushes `entry` in one sift: how a bounded top-k heap takes a better hit.
    mutating func replaceTop(_ entry: HeapEntry) {
        siftDown(entry)
    }

    private mutating func siftDown(_ entry: HeapEntry) {
        var i = 0
        let half = count >> 1
        while i < half {
            var child = 2 &* i &+ 1
            let right = child &+ 1
            if right < count && base[right].key < base[child].key { child = right }
            if entry.key <= base[child].key { break }
            base[i] = base[child]
            i = child
        }
        base[i] = entry
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<HeapEntry>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}

/// "Visited" marks for one search: a node is visited when its stamp equals this search's generation,
/// so starting a new search costs one increment instead of clearing a node-sized array.
struct VisitedSet {
    let stamps: UnsafeMutablePointer<UInt16>
    let generation: UInt16

    /// Marks `node`; returns false if it was already marked in this search.
    @inline(__always)
    func insert(_ node: Int32) -> Bool {
        let slot = stamps + Int(node)
        if slot.pointee == generation { return false }
        slot.pointee = generation
        return true
    }
}

/// Why `@unchecked Sendable` is sound: a scratch is only ever reachable from one thread at a time. It is
/// either inside `ScratchPool` (guarded by its Mutex) or held by the single search that took it out of
/// the pool, which puts it back when done and keeps no reference. No two threads touch its buffers at
/// once. (Plain `Sendable` is impossible for a class with mutable state, and the pool must hand the
/// object across threads.)
final class SearchScratch: @unchecked Sendable {
    private var stamps: UnsafeMutablePointer<UInt16>
    private var stampCapacity: Int
    private var generation: UInt16 = 0
    private var candidates = MinHeap(capacity: 256)
    private var results = MinHeap(capacity: 256)
    /// Room for one node's unvisited neighbours (at most 2·M, M <= 256), gathered before scoring, plus
    /// one spare slot (see `searchLayer`).
    let neighbourBatch = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * HNSWParameters.mRange.upperBound + 1)

    init(nodeCapacity: Int) {
        stampCapacity = max(nodeCapacity, 1)
        stamps = .allocate(capacity: stampCapacity)
        stamps.initialize(repeating: 0, count: stampCapacity)
    }

    deinit {
        stamps.deallocate()
        candidates.deallocate()
        results.deallocate()
        neighbourBatch.deallocate()
    }

    /// Bytes held, for the index's memory estimate.
    var allocatedBytes: Int {
        stampCapacity * 2 + (candidates.capacity + results.capacity) * MemoryLayout<HeapEntry>.stride
    }

    /// A fresh visited set over `nodeCount` nodes.
    func beginVisit(nodeCount: Int) -> VisitedSet {
        if nodeCount > stampCapacity {
            // Grow with headroom so that an index being filled does not reallocate on every search.
            let newCapacity = max(nodeCount, stampCapacity + stampCapacity / 2)
            stamps.deallocate()
            stamps = .allocate(capacity: newCapacity)
            stamps.initialize(repeating: 0, count: newCapacity)
            stampCapacity = newCapacity
            generation = 0
        }
        generation &+= 1
        if generation == 0 {
            // Wrapped after 65,535 searches: old stamps could now collide, so clear them once.
            stamps.update(repeating: 0, count: stampCapacity)
            generation = 1
        }
        return VisitedSet(stamps: stamps, generation: generation)
    }

    /// Lends both heaps, emptied, and stores them back afterwards (they may have moved while growing).
    func withHeaps<Result>(_ body: (inout MinHeap, inout MinHeap) throws -> Result) rethrows -> Result {
        var candidates = self.candidates
        var results = self.results
        candidates.removeAll()
        results.removeAll()
        defer {
            self.candidates = candidates
            self.results = results
        }
        return try body(&candidates, &results)
    }
}

/// Scratches not in use. Holds at most `limit` so that a burst of concurrent searches does not pin
/// memory forever; a search that finds the pool empty makes a new scratch.
final class ScratchPool: Sendable {
    private let idle = Mutex<[SearchScratch]>([])
    private let limit = 64

    func take(nodeCount: Int) -> SearchScratch {
        idle.withLock { $0.popLast() } ?? SearchScratch(nodeCapacity: nodeCount)
    }

    func giveBack(_ scratch: SearchScratch) {
        idle.withLock { pool in
            if pool.count < limit { pool.append(scratch) }
        }
    }

    var allocatedBytes: Int {
        idle.withLock { pool in pool.reduce(0) { $0 + $1.allocatedBytes } }
    }

    func removeAll() {
        idle.withLock { $0.removeAll() }
    }
}
