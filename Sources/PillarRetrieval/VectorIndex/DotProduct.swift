// The one distance the index computes, hundreds of times per query: the dot product of two Float rows.
//
// It dominates search time, so it works on raw pointers (no bounds checks, no retain/release) with wide
// SIMD loads. Four independent SIMD16 accumulators (64 floats per step) keep the adds from waiting on
// each other (an add's latency is several cycles); SIMD8 and a scalar loop finish dimension counts that
// are not multiples of 64. Multiply then add, not `addingProduct`: without a target that has FMA,
// `addingProduct` becomes a libm call per lane, which is many times slower.

enum DotProduct {
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        let stride16 = MemoryLayout<SIMD16<Float>>.stride
        var i = 0
        var sum = Float(0)
        if count >= 64 {
            var acc0 = SIMD16<Float>()
            var acc1 = SIMD16<Float>()
            var acc2 = SIMD16<Float>()
            var acc3 = SIMD16<Float>()
            while i &+ 64 <= count {
                let offset = i &* 4
                acc0 +=
                    ra.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                    * rb.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                acc1 +=
                    ra.loadUnaligned(fromByteOffset: offset &+ stride16, as: SIMD16<Float>.self)
                    * rb.loadUnaligned(fromByteOffset: offset &+ stride16, as: SIMD16<Float>.self)
                acc2 +=
                    ra.loadUnaligned(fromByteOffset: offset &+ 2 &* stride16, as: SIMD16<Float>.self)
                    * rb.loadUnaligned(fromByteOffset: offset &+ 2 &* stride16, as: SIMD16<Float>.self)
                acc3 +=
                    ra.loadUnaligned(fromByteOffset: offset &+ 3 &* stride16, as: SIMD16<Float>.self)
                    * rb.loadUnaligned(fromByteOffset: offset &+ 3 &* stride16, as: SIMD16<Float>.self)
                i &+= 64
            }
            sum = horizontalSum((acc0 + acc1) + (acc2 + acc3))
        }
        if i &+ 16 <= count {
            var acc = SIMD16<Float>()
            while i &+ 16 <= count {
                acc +=
                    ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                    * rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                i &+= 16
            }
            sum += horizontalSum(acc)
        }
        if i &+ 8 <= count {
            let acc =
                ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            sum += horizontalSum(acc)
            i &+= 8
        }
        while i < count {
            sum += a[i] * b[i]
            i &+= 1
        }
        return sum
    }

    /// Scores four rows against one query in a single pass. The four load streams interleave, so the
    /// CPU has four rows' cache misses in flight at once instead of one (a search's rows are scattered
    /// over the whole vector array and each one is a trip to memory), and each query chunk is loaded
    /// once for four rows.
    @inline(__always)
    static func dot4(
        _ query: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        _ c: UnsafePointer<Float>, _ d: UnsafePointer<Float>, count: Int
    ) -> SIMD4<Float> {
        let rq = UnsafeRawPointer(query)
        let (ra, rb, rc, rd) = (UnsafeRawPointer(a), UnsafeRawPointer(b), UnsafeRawPointer(c), UnsafeRawPointer(d))
        var accA = SIMD8<Float>()
        var accB = SIMD8<Float>()
        var accC = SIMD8<Float>()
        var accD = SIMD8<Float>()
        var i = 0
        while i &+ 8 <= count {
            let offset = i &* 4
            let q = rq.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            accA += q * ra.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            accB += q * rb.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            accC += q * rc.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            accD += q * rd.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            i &+= 8
        }
        var result = SIMD4<Float>(horizontalSum(accA), horizontalSum(accB), horizontalSum(accC), horizontalSum(accD))
        while i < count {
            result += SIMD4<Float>(a[i], b[i], c[i], d[i]) * query[i]
            i &+= 1
        }
        return result
    }

    /// Pairwise (tree) reduction: `SIMD.sum()` adds the lanes one after another, a chain of 15 dependent
    /// adds, and is not inlined.
    @inline(__always)
    static func horizontalSum(_ v: SIMD16<Float>) -> Float {
        horizontalSum(v.lowHalf + v.highHalf)
    }

    @inline(__always)
    static func horizontalSum(_ v: SIMD8<Float>) -> Float {
        let four = v.lowHalf + v.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    /// Array convenience for tests and callers outside the hot path.
    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "dot product of vectors of different lengths")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                guard let baseA = pa.baseAddress, let baseB = pb.baseAddress else { return 0 }
                return dot(baseA, baseB, count: a.count)
            }
        }
    }
}
