// Seeded, deterministic random numbers for level generation.
//
// The system generator would make two builds of the same data differ, which makes recall regressions
// impossible to bisect; SplitMix64 (Steele, Lea & Flood) is tiny, fast, passes BigCrush, and its whole
// state is one UInt64 that the index file can carry, so inserts after a reload continue the same stream.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Public so tests seed their random cases with the same generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in (0, 1]: never 0, so its logarithm is always finite.
    mutating func nextUnitInterval() -> Double {
        Double((next() >> 11) + 1) * 0x1.0p-53
    }
}

/// The paper's level distribution: floor(-ln(U) · mL) with mL = 1 / ln(M), so each layer holds about
/// 1/M of the nodes of the layer below. Capped because levels are stored in a byte and a level far above
/// log_M(N) only adds empty layers to walk through.
enum LevelGenerator {
    static let maxLevel = 31

    static func level(using rng: inout SplitMix64, m: Int) -> Int {
        let mL = 1.0 / log(Double(m))
        let level = (-log(rng.nextUnitInterval()) * mL).rounded(.down)
        return level >= Double(maxLevel) ? maxLevel : Int(level)
    }
}
