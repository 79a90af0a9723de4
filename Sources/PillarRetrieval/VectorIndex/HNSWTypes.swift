// Public value types of the HNSW vector index: its parameters, a search hit and its errors.

/// Tuning knobs of an `HNSWIndex` (Malkov & Yashunin's names).
///
/// `m` and `efConstruction` shape the graph and are fixed once the index exists; `efSearch` is only the
/// default breadth of a query and may be changed at any time (`HNSWIndex.setEfSearch(_:)`).
public struct HNSWParameters: Sendable, Codable, Equatable {
    /// Links per node on the upper layers; layer 0 keeps twice as many (the paper's Mmax0 = 2·M).
    public var m: Int = 16
    /// Breadth of the candidate list while inserting: higher builds a better graph, more slowly.
    public var efConstruction: Int = 200
    /// Default breadth of a query's candidate list: higher gives more recall, fewer queries per second.
    public var efSearch: Int = 64
    /// Seed of the level generator, so that the same inserts in the same order build the same graph.
    public var seed: UInt64 = 42

    public init(m: Int = 16, efConstruction: Int = 200, efSearch: Int = 64, seed: UInt64 = 42) {
        self.m = m
        self.efConstruction = efConstruction
        self.efSearch = efSearch
        self.seed = seed
    }

    /// Limits on `m`: below 2 the graph cannot be navigable; above 256 a node's links would no longer be a
    /// small fraction of its vector, and a corrupt file could ask for absurd allocations.
    static let mRange = 2...256
    /// Upper bound for both ef values: a bound keeps a corrupt file or a careless caller from asking
    /// for a candidate list bigger than any index we will hold.
    static let efLimit = 1 << 20

    /// The parameters an index actually uses: values out of range are clamped, not rejected, because the
    /// initialiser does not throw and every clamped value still gives a working index.
    var normalised: HNSWParameters {
        var p = self
        p.m = min(max(m, Self.mRange.lowerBound), Self.mRange.upperBound)
        p.efConstruction = min(max(efConstruction, p.m), Self.efLimit)
        p.efSearch = min(max(efSearch, 1), Self.efLimit)
        return p
    }
}

/// One search hit: the caller's id and its cosine similarity with the query (the dot product of the two
/// L2-normalised vectors; higher is closer).
public struct VectorMatch: Sendable, Equatable {
    public let id: Int64
    public let score: Float

    public init(id: Int64, score: Float) {
        self.id = id
        self.score = score
    }
}

/// Errors of `HNSWIndex`. A corrupt or truncated file is always one of these, never a crash.
public enum HNSWError: Error, Equatable, CustomStringConvertible {
    /// A vector whose length is not the index's dimension count.
    case dimensionMismatch(expected: Int, actual: Int)
    /// A vector holding NaN or an infinity at `position`: it would poison every score it touches.
    case nonFiniteValue(position: Int)
    /// The index cannot take more nodes (internal node numbers are Int32).
    case capacityExceeded
    /// The file is not an index file (wrong magic).
    case notAnIndexFile
    /// The file was written by a format version this code does not read.
    case unsupportedVersion(UInt32)
    /// The file is cut short or its content is inconsistent; the text says what was wrong.
    case corruptFile(String)
    /// Reading or writing the file failed; the text carries the system's reason.
    case io(String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let expected, let actual):
            "vector has \(actual) dimensions, the index has \(expected)"
        case .nonFiniteValue(let position):
            "vector holds a non-finite value at position \(position)"
        case .capacityExceeded:
            "the index is full (more than \(Int32.max - 1) nodes)"
        case .notAnIndexFile:
            "not an HNSW index file (bad magic)"
        case .unsupportedVersion(let version):
            "unsupported HNSW index file version \(version)"
        case .corruptFile(let reason):
            "corrupt HNSW index file: \(reason)"
        case .io(let reason):
            "HNSW index file I/O failed: \(reason)"
        }
    }
}
