import Foundation
import PillarRetrieval

/// Two-sample test for query-embedding drift: squared maximum mean discrepancy (MMD², unbiased estimator) with an RBF kernel whose bandwidth is the median pairwise distance of the pooled sample (median heuristic), vectors L2-normalised first; p-value by permutation: p = (1 + #{permuted stat >= observed}) / (1 + permutations).
public enum EmbeddingDrift {
    public struct Result: Sendable, Hashable, Codable {
        public var statistic: Double  // observed MMD²
        public var pValue: Double
        public var referenceCount: Int
        public var currentCount: Int
        public var permutations: Int
    }

    /// nil when either side has fewer than 5 vectors, or vectors have different/zero dimensions. Each side is cut to its first `maximumPerSide` vectors (bound on O(n²) work). Deterministic for a given seed.
    public static func test(
        reference: [[Float]], current: [[Float]], permutations: Int = 999, maximumPerSide: Int = 200, seed: UInt64
    ) -> Result? {
        // Validation looks only at the vectors that survive the cut: the rest never
        // influence the answer, so they should not be able to veto it either.
        let cap = max(0, maximumPerSide)
        let referenceSide = reference.prefix(cap)
        let currentSide = current.prefix(cap)
        let n = referenceSide.count
        let m = currentSide.count
        guard n >= 5, m >= 5 else { return nil }
        guard let dimension = referenceSide.first?.count, dimension > 0 else { return nil }
        guard let points = normalisedRows(Array(referenceSide) + Array(currentSide), dimension: dimension) else {
            return nil
        }

        let count = n + m
        let kernel = rbfKernel(points: points, count: count, dimension: dimension)
        let totalUpper = upperTriangleSum(kernel, count: count)

        // Labels are 1 for the reference side, 0 for the current side. Shuffling the
        // label vector is the same as permuting which pooled points form each side.
        var labels = [Double](repeating: 0, count: count)
        for i in 0..<n { labels[i] = 1 }

        let observed = mmdSquared(kernel: kernel, labels: labels, n: n, m: m, totalUpper: totalUpper)

        let rounds = min(max(permutations, 1), 10_000)
        // A fixed generator (not the system one), so a p-value is reproducible on every machine.
        var rng = SplitMix64(seed: seed)
        var exceedances = 0
        for _ in 0..<rounds {
            for i in stride(from: count - 1, to: 0, by: -1) {
                labels.swapAt(i, Int.random(in: 0...i, using: &rng))
            }
            // No tolerance is needed on this comparison: the sum runs in a fixed order
            // over the same matrix, so a permutation that reproduces the observed split
            // reproduces the observed statistic bit for bit.
            if mmdSquared(kernel: kernel, labels: labels, n: n, m: m, totalUpper: totalUpper) >= observed {
                exceedances += 1
            }
        }

        return Result(
            statistic: observed,
            pValue: Double(1 + exceedances) / Double(1 + rounds),
            referenceCount: n,
            currentCount: m,
            permutations: rounds
        )
    }

    /// Flattens to row-major Double, L2-normalising each row. nil on ragged or
    /// non-finite input.
    private static func normalisedRows(_ rows: [[Float]], dimension: Int) -> [Double]? {
        var flat = [Double](repeating: 0, count: rows.count * dimension)
        for (r, row) in rows.enumerated() {
            guard row.count == dimension else { return nil }
            var squaredNorm = 0.0
            for value in row {
                guard value.isFinite else { return nil }
                // Accumulating in Double: squaring a large Float would overflow Float.
                let v = Double(value)
                squaredNorm += v * v
            }
            // An all-zero embedding has no direction; it is kept as the origin rather
            // than rejected, so a single degenerate vector does not void the test.
            let scale = squaredNorm > 0 ? 1 / squaredNorm.squareRoot() : 0
            let base = r * dimension
            for (d, value) in row.enumerated() {
                flat[base + d] = Double(value) * scale
            }
        }
        return flat
    }

    /// Full symmetric count×count Gaussian kernel matrix, bandwidth from the median heuristic.
    private static func rbfKernel(points: [Double], count: Int, dimension: Int) -> [Double] {
        var squaredDistances = [Double](repeating: 0, count: count * count)
        var upper: [Double] = []
        upper.reserveCapacity(count * (count - 1) / 2)
        points.withUnsafeBufferPointer { p in
            for i in 0..<count {
                let a = i * dimension
                for j in (i + 1)..<count {
                    let b = j * dimension
                    // Direct sum of squared differences instead of 2 - 2·cos: it stays
                    // non-negative and does not cancel for near-duplicate queries.
                    var sum = 0.0
                    for d in 0..<dimension {
                        let diff = p[a + d] - p[b + d]
                        sum += diff * diff
                    }
                    squaredDistances[i * count + j] = sum
                    squaredDistances[j * count + i] = sum
                    upper.append(sum)
                }
            }
        }

        let bandwidth = medianDistance(squaredDistances: upper)
        let gamma = 1 / (2 * bandwidth * bandwidth)
        return squaredDistances.map { exp(-gamma * $0) }
    }

    private static func medianDistance(squaredDistances: [Double]) -> Double {
        var sorted = squaredDistances.sorted()
        // Every point coincides: the kernel is constant and MMD² is 0 for any
        // bandwidth, so any positive value will do.
        guard let firstPositive = sorted.firstIndex(where: { $0 > 0 }) else { return 1 }
        // Repeated queries are common in real traffic; if they make up most pairs the
        // plain median is 0 and the kernel degenerates, so fall back to the median of
        // the non-zero distances.
        if sorted[sorted.count / 2] == 0 {
            sorted.removeFirst(firstPositive)
        }
        let mid = sorted.count / 2
        if sorted.count.isMultiple(of: 2) {
            return (sorted[mid - 1].squareRoot() + sorted[mid].squareRoot()) / 2
        }
        return sorted[mid].squareRoot()
    }

    private static func upperTriangleSum(_ kernel: [Double], count: Int) -> Double {
        var total = 0.0
        for i in 0..<count {
            for j in (i + 1)..<count {
                total += kernel[i * count + j]
            }
        }
        return total
    }

    /// Unbiased MMD² for the split given by `labels`. Only the within-side sums are
    /// accumulated; the cross sum follows from the fixed total, so each permutation
    /// is a single pass over the upper triangle with no index gathering.
    private static func mmdSquared(kernel: [Double], labels: [Double], n: Int, m: Int, totalUpper: Double) -> Double {
        let count = n + m
        var referenceSum = 0.0
        var currentSum = 0.0
        kernel.withUnsafeBufferPointer { k in
            labels.withUnsafeBufferPointer { label in
                for i in 0..<count {
                    let row = i * count
                    var rowSum = 0.0
                    // Multiplying by a 0/1 label keeps the inner loop branch-free.
                    if label[i] == 1 {
                        for j in (i + 1)..<count { rowSum += k[row + j] * label[j] }
                        referenceSum += rowSum
                    } else {
                        for j in (i + 1)..<count { rowSum += k[row + j] * (1 - label[j]) }
                        currentSum += rowSum
                    }
                }
            }
        }
        let crossSum = totalUpper - referenceSum - currentSum
        let nn = Double(n)
        let mm = Double(m)
        // Upper-triangle sums count each unordered within-side pair once, hence the 2.
        return 2 * referenceSum / (nn * (nn - 1))
            + 2 * currentSum / (mm * (mm - 1))
            - 2 * crossSum / (nn * mm)
    }
}
