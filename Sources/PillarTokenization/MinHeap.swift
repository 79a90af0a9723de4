/// A binary min-heap of `UInt64` keys. The long-piece merge packs
/// `(rank, position)` into one key so that comparing keys orders pairs by
/// rank and then leftmost-first, the same tie-break as tiktoken.
struct MinHeap {
    private var keys: [UInt64] = []

    init(capacity: Int) { keys.reserveCapacity(capacity) }

    var isEmpty: Bool { keys.isEmpty }

    mutating func push(_ key: UInt64) {
        keys.append(key)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if keys[parent] <= key { break }
            keys[child] = keys[parent]
            child = parent
        }
        keys[child] = key
    }

    mutating func popMin() -> UInt64? {
        guard let last = keys.popLast() else { return nil }
        guard !keys.isEmpty else { return last }
        let top = keys[0]
        let count = keys.count
        var hole = 0
        while true {
            var child = 2 * hole + 1
            if child >= count { break }
            if child + 1 < count, keys[child + 1] < keys[child] { child += 1 }
            if last <= keys[child] { break }
            keys[hole] = keys[child]
            hole = child
        }
        keys[hole] = last
        return top
    }
}
