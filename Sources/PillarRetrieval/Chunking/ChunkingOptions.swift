/// How big chunks are, in tokens of the chunker's `TokenCounting`.
public struct ChunkingOptions: Sendable, Codable, Equatable {
    public static let maxTokensRange = 16...2048

    /// The most tokens in one chunk. 256 matches all-MiniLM-L6-v2's window; the server's default
    /// (`retrieval.chunkMaxTokens`) is 400, which scored better on HotpotQA (BENCHMARKS.md).
    public var maxTokens: Int = 256
    /// About how many tokens consecutive chunks of one section share, so a fact cut at a chunk
    /// boundary is still whole in one of them. Must be less than half of `maxTokens`.
    public var overlapTokens: Int = 32
    /// Chunks with less new text than this are avoided: the packer fills them from the next
    /// paragraph, and a small final piece merges into the previous chunk when it fits.
    public var minTokens: Int = 16

    public init(maxTokens: Int = 256, overlapTokens: Int = 32, minTokens: Int = 16) {
        self.maxTokens = maxTokens
        self.overlapTokens = overlapTokens
        self.minTokens = minTokens
    }

    /// Missing keys keep their defaults, so a configuration file need only name what it changes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ChunkingOptions()
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens) ?? defaults.maxTokens
        overlapTokens = try container.decodeIfPresent(Int.self, forKey: .overlapTokens) ?? defaults.overlapTokens
        minTokens = try container.decodeIfPresent(Int.self, forKey: .minTokens) ?? defaults.minTokens
    }

    /// Throws a `ChunkingOptionsError` naming the first invalid value. Check options here when they
    /// come from configuration; `Chunker` itself clamps invalid options rather than trapping.
    public func validate() throws(ChunkingOptionsError) {
        guard Self.maxTokensRange.contains(maxTokens) else {
            throw ChunkingOptionsError(
                field: "maxTokens",
                message:
                    "maxTokens must be between \(Self.maxTokensRange.lowerBound) and \(Self.maxTokensRange.upperBound), not \(maxTokens)"
            )
        }
        guard overlapTokens >= 0, overlapTokens * 2 < maxTokens else {
            throw ChunkingOptionsError(
                field: "overlapTokens",
                message: "overlapTokens must be at least 0 and less than half of maxTokens (\(maxTokens)), not \(overlapTokens)")
        }
        guard minTokens >= 0, minTokens < maxTokens else {
            throw ChunkingOptionsError(
                field: "minTokens",
                message: "minTokens must be at least 0 and less than maxTokens (\(maxTokens)), not \(minTokens)")
        }
    }

    /// The nearest valid options: maxTokens into its range, overlap below half of it, min below max.
    public func clamped() -> ChunkingOptions {
        let maxTokens = min(max(maxTokens, Self.maxTokensRange.lowerBound), Self.maxTokensRange.upperBound)
        let overlap = min(max(overlapTokens, 0), (maxTokens - 1) / 2)
        return ChunkingOptions(maxTokens: maxTokens, overlapTokens: overlap, minTokens: min(max(minTokens, 0), maxTokens - 1))
    }
}

public struct ChunkingOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { message }
}
