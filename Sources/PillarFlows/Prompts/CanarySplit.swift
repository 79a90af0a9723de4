import PillarCore

/// Why a canary split is not valid.
public enum CanarySplitError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case weightOutOfRange(version: Int, weight: Int)
    case weightsDoNotSumTo100(sum: Int)
    case duplicateVersion(Int)
    case invalidVersion(Int)

    public var description: String {
        switch self {
        case .empty: return "the split has no versions"
        case .weightOutOfRange(let version, let weight): return "version \(version) has weight \(weight); weights must be 1...100"
        case .weightsDoNotSumTo100(let sum): return "weights sum to \(sum), not 100"
        case .duplicateVersion(let version): return "version \(version) appears more than once"
        case .invalidVersion(let version): return "version \(version) is invalid; versions must be >= 1"
        }
    }
}

/// Sticky weighted choice of a version, e.g. of a prompt, per conversation.
public enum CanarySplit {
    /// Picks a version for a sticky key (a conversation id): the same key always gets the
    /// same version for the same split and salt, in any process; over many keys the shares
    /// follow the weights. The bucket is FNV-1a 64 of UTF-8 `salt + "\u{0}" + stickyKey`,
    /// modulo the weights' sum (100 for a valid split), walked through the split in order.
    /// An empty split (or one with no positive weight) gives 0; validate splits first.
    public static func pick(_ split: [WeightedVersion], stickyKey: String, salt: String) -> Int {
        let total = split.reduce(0) { $0 + max(0, $1.weight) }
        guard total > 0 else { return split.first?.version ?? 0 }
        var bucket = Int(fnv1a64(salt + "\u{0}" + stickyKey) % UInt64(total))
        for entry in split where entry.weight > 0 {
            if bucket < entry.weight { return entry.version }
            bucket -= entry.weight
        }
        return split.last!.version  // unreachable: buckets are below the total
    }

    /// Checks: non-empty, each weight in 1...100, weights sum to 100, versions unique and >= 1.
    public static func validate(_ split: [WeightedVersion]) throws(CanarySplitError) {
        guard !split.isEmpty else { throw .empty }
        var seen: Set<Int> = []
        for entry in split {
            guard entry.version >= 1 else { throw .invalidVersion(entry.version) }
            guard seen.insert(entry.version).inserted else { throw .duplicateVersion(entry.version) }
            guard (1...100).contains(entry.weight) else {
                throw .weightOutOfRange(version: entry.version, weight: entry.weight)
            }
        }
        let sum = split.reduce(0) { $0 + $1.weight }
        guard sum == 100 else { throw .weightsDoNotSumTo100(sum: sum) }
    }

    /// FNV-1a, 64 bits, over the UTF-8 bytes of `text`. Stable across processes and platforms.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
