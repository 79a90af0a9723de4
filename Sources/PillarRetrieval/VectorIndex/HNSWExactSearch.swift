// Brute-force k-nearest-neighbours: the ground truth for recall, and the better plan when a filter
// admits so few ids that walking the graph would visit most of it before finding k of them.

extension GraphView {
    /// Scores every live node the admission accepts.
    func exactSearch<Admission: NodeAdmission>(
        query: UnsafePointer<Float>, k: Int, scratch: SearchScratch, admission: Admission
    ) -> [VectorMatch] {
        scratch.withHeaps { _, results in
            var node: Int32 = 0
            let end = Int32(nodeCount)
            while node < end {
                if !vacant[Int(node)] && admission.admits(node) {
                    offer(node, score: score(query, node), k: k, into: &results)
                }
                node &+= 1
            }
            return sortedBest(&results, k: k)
        }
    }

    /// Scores the live nodes of `candidates`; unknown and removed ids are skipped, repeated ids count once.
    func exactSearch(
        query: UnsafePointer<Float>, k: Int, among candidates: some Sequence<Int64>,
        nodeOf: [Int64: Int32], scratch: SearchScratch
    ) -> [VectorMatch] {
        let seen = scratch.beginVisit(nodeCount: nodeCount)
        return scratch.withHeaps { _, results in
            for id in candidates {
                // nodeOf holds live ids only, so a removed id is never scored.
                guard let node = nodeOf[id], seen.insert(node) else { continue }
                offer(node, score: score(query, node), k: k, into: &results)
            }
            return sortedBest(&results, k: k)
        }
    }

    /// Keeps `node` if it is among the best `k` offered so far (results: min-heap on score).
    @inline(__always)
    private func offer(_ node: Int32, score: Float, k: Int, into results: inout MinHeap) {
        if results.count < k {
            results.push(HeapEntry(key: score, node: node))
        } else if score > results.top.key {
            results.replaceTop(HeapEntry(key: score, node: node))
        }
    }

    /// Best first; equal scores by ascending id, so that ground truth does not depend on node order.
    private func sortedBest(_ results: inout MinHeap, k: Int) -> [VectorMatch] {
        var matches = drainBest(&results, k: k)
        matches.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        return matches
    }
}
