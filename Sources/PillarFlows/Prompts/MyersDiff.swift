/// Myers' O((N+M)·D) shortest edit script over any equatable elements.
enum MyersDiff {
    enum Op: Sendable, Hashable {
        case equal, delete, insert
    }

    /// The shortest list of ops turning `a` into `b`; deletions come before insertions
    /// within a run of changes. Common prefix and suffix are skipped first; memory for the
    /// search is O(D²) small integers.
    static func editScript<T: Hashable>(_ a: [T], _ b: [T]) -> [Op] {
        // Compare small integer ids rather than the elements.
        var ids: [T: Int32] = [:]
        let x = a.map { element -> Int32 in
            if let id = ids[element] { return id }
            let id = Int32(ids.count)
            ids[element] = id
            return id
        }
        let y = b.map { element -> Int32 in
            if let id = ids[element] { return id }
            let id = Int32(ids.count)
            ids[element] = id
            return id
        }

        var prefix = 0
        while prefix < x.count, prefix < y.count, x[prefix] == y[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < x.count - prefix, suffix < y.count - prefix,
            x[x.count - 1 - suffix] == y[y.count - 1 - suffix]
        { suffix += 1 }

        let middle = middleScript(Array(x[prefix..<(x.count - suffix)]), Array(y[prefix..<(y.count - suffix)]))
        let ops = Array(repeating: Op.equal, count: prefix) + middle + Array(repeating: .equal, count: suffix)
        return deletionsFirst(ops)
    }

    /// Within each run of changes, puts the deletions before the insertions (as `diff` prints them).
    static func deletionsFirst(_ ops: [Op]) -> [Op] {
        var result: [Op] = []
        result.reserveCapacity(ops.count)
        var deletes = 0
        var inserts = 0
        func flush() {
            result.append(contentsOf: repeatElement(.delete, count: deletes))
            result.append(contentsOf: repeatElement(.insert, count: inserts))
            deletes = 0
            inserts = 0
        }
        for op in ops {
            switch op {
            case .equal:
                flush()
                result.append(.equal)
            case .delete: deletes += 1
            case .insert: inserts += 1
            }
        }
        flush()
        return result
    }

    /// The search costs about (N+M)·D steps and D² integers: two versions of a large flow with nothing in
    /// common would take minutes and gigabytes. Past this many steps, the middle is shown replaced whole: a
    /// correct diff, if not the shortest.
    static let maximumSteps = 20_000_000

    private static func middleScript(_ x: [Int32], _ y: [Int32]) -> [Op] {
        let n = x.count
        let m = y.count
        if n == 0 { return Array(repeating: .insert, count: m) }
        if m == 0 { return Array(repeating: .delete, count: n) }
        let replacedWhole = Array(repeating: Op.delete, count: n) + Array(repeating: Op.insert, count: m)
        let maximumEdits = Swift.min(n + m, Swift.max(1, Swift.min(4_000, maximumSteps / (n + m))))
        let max = n + m
        let offset = max + 1
        // v[k + offset] = furthest x reached on diagonal k; trace[d] holds v for k in -d...d after step d.
        var v = [Int32](repeating: 0, count: 2 * max + 3)
        var trace: [[Int32]] = []
        var found = false
        for d in 0...max {
            for k in stride(from: -d, through: d, by: 2) {
                var i: Int
                if k == -d || (k != d && v[k - 1 + offset] < v[k + 1 + offset]) {
                    i = Int(v[k + 1 + offset])  // down: insertion
                } else {
                    i = Int(v[k - 1 + offset]) + 1  // right: deletion
                }
                var j = i - k
                while i < n, j < m, x[i] == y[j] {
                    i += 1
                    j += 1
                }
                v[k + offset] = Int32(i)
                if i >= n, j >= m {
                    found = true
                    break
                }
            }
            trace.append(Array(v[(offset - d)...(offset + d)]))
            if found { break }
            if d >= maximumEdits { return replacedWhole }
        }

        // Walk back from (n, m).
        var ops: [Op] = []
        ops.reserveCapacity(n + m)
        var i = n
        var j = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let k = i - j
            if d == 0 {
                while i > 0 {
                    ops.append(.equal)
                    i -= 1
                    j -= 1
                }
                break
            }
            let previous = trace[d - 1]  // k' in -(d-1)...(d-1) at previous[k' + d - 1]
            func at(_ k: Int) -> Int { Int(previous[k + d - 1]) }
            let down = k == -d || (k != d && at(k - 1) < at(k + 1))
            let previousK = down ? k + 1 : k - 1
            let previousI = at(previousK)
            let previousJ = previousI - previousK
            let startI = down ? previousI : previousI + 1
            while i > startI {
                ops.append(.equal)
                i -= 1
                j -= 1
            }
            ops.append(down ? .insert : .delete)
            i = previousI
            j = previousJ
        }
        ops.reverse()
        return ops
    }
}
