import Foundation
import PillarCore

extension PillarConfiguration {
    /// Grounding data: the embedding model, chunking, the indexes and how their rankings are fused.
    public struct Retrieval: Sendable, Codable, Hashable {
        /// The model name embeddings are asked for through the gateway. A configured deployment serving this
        /// name is used; otherwise the embedded all-MiniLM-L6-v2 runs (see `localEmbedder`).
        public var embeddingModel: String = "all-minilm-l6-v2"
        public var embeddingBatchSize: Int = 32
        public var localEmbedder = LocalEmbedder()
        public var chunkMaxTokens: Int = 400
        public var chunkOverlapTokens: Int = 32
        public var hnswM: Int = 16
        public var hnswEfConstruction: Int = 200
        public var hnswEfSearch: Int = 64
        /// Collections (or readable subsets) smaller than this are searched exactly.
        public var exactSearchBelow: Int = 2_000
        public var fusionK: Double = 60
        public var keywordWeight: Double = 1
        public var vectorWeight: Double = 1
        /// Candidates each ranking brings to hybrid fusion.
        public var candidates: Int = 50
        /// How often in-memory vector indexes are saved to the data directory.
        public var persistIntervalSeconds: Double = 30
        /// Markdown files the chat page offers to load into a tenant that has no documents; by default Pillar's
        /// own documentation, which `make` copies to `$PILLAR_CACHE/samples/pillar-docs`.
        public var samplesDirectory: String?

        public init() {}
    }

    /// all-MiniLM-L6-v2 served by a second llama-server in embedding mode.
    public struct LocalEmbedder: Sendable, Codable, Hashable {
        /// `auto`: run it when no deployment serves `embeddingModel`; `on`: always; `off`: never.
        public var mode: PillarConfiguration.RunMode = .auto
        public var modelPath: String?
        public var port: Int = 0
        public var threads: Int?

        public init() {}
    }

    /// The sample documents' directory: the configured one, or where `make` puts Pillar's documentation.
    func samplesDirectory(environment: [String: String]) -> String {
        retrieval.samplesDirectory ?? PillarCache.directory(environment: environment) + "/samples/pillar-docs"
    }

    /// Whether the embedded embedding model runs.
    public var runsLocalEmbedder: Bool {
        switch retrieval.localEmbedder.mode {
        case .on: return true
        case .off: return false
        case .auto: return !deployments.contains { ($0.models ?? [$0.name]).contains(retrieval.embeddingModel) }
        }
    }

    func validateRetrieval(into problems: inout ConfigurationProblems) {
        let key = "retrieval"
        problems.require(!retrieval.embeddingModel.isEmpty, key: "\(key).embeddingModel", "must not be empty")
        problems.require((0...65535).contains(retrieval.localEmbedder.port), key: "\(key).localEmbedder.port", "must be 0-65535")
        let ranges: [(String, Int, ClosedRange<Int>)] = [
            ("embeddingBatchSize", retrieval.embeddingBatchSize, 1...2048),
            ("chunkMaxTokens", retrieval.chunkMaxTokens, 16...2048),
            ("hnswM", retrieval.hnswM, 2...128),
            ("hnswEfConstruction", retrieval.hnswEfConstruction, 8...4096),
            ("hnswEfSearch", retrieval.hnswEfSearch, 1...4096),
            ("exactSearchBelow", retrieval.exactSearchBelow, 0...10_000_000),
            ("candidates", retrieval.candidates, 1...1000),
        ]
        for (name, value, range) in ranges where !range.contains(value) {
            problems.add(key: "\(key).\(name)", "must be \(range.lowerBound)-\(range.upperBound)")
        }
        problems.require(
            retrieval.chunkOverlapTokens >= 0 && retrieval.chunkOverlapTokens < retrieval.chunkMaxTokens / 2,
            key: "\(key).chunkOverlapTokens", "must be 0 or more and under half of chunkMaxTokens")
        for (name, value) in [
            ("fusionK", retrieval.fusionK), ("keywordWeight", retrieval.keywordWeight),
            ("vectorWeight", retrieval.vectorWeight),
        ] where !(value >= 0 && value <= 1_000) {
            problems.add(key: "\(key).\(name)", "must be 0-1000")
        }
        problems.require(
            retrieval.persistIntervalSeconds > 0 && retrieval.persistIntervalSeconds <= 86_400,
            key: "\(key).persistIntervalSeconds", "must be above 0 and at most 86400")
    }
}

extension PillarConfiguration.Retrieval {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case embeddingModel, embeddingBatchSize, localEmbedder, chunkMaxTokens, chunkOverlapTokens, hnswM
        case hnswEfConstruction, hnswEfSearch, exactSearchBelow, fusionK, keywordWeight, vectorWeight, candidates
        case persistIntervalSeconds, samplesDirectory
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        embeddingModel = try container.value(.embeddingModel, or: embeddingModel)
        embeddingBatchSize = try container.value(.embeddingBatchSize, or: embeddingBatchSize)
        localEmbedder = try container.value(.localEmbedder, or: localEmbedder)
        chunkMaxTokens = try container.value(.chunkMaxTokens, or: chunkMaxTokens)
        chunkOverlapTokens = try container.value(.chunkOverlapTokens, or: chunkOverlapTokens)
        hnswM = try container.value(.hnswM, or: hnswM)
        hnswEfConstruction = try container.value(.hnswEfConstruction, or: hnswEfConstruction)
        hnswEfSearch = try container.value(.hnswEfSearch, or: hnswEfSearch)
        exactSearchBelow = try container.value(.exactSearchBelow, or: exactSearchBelow)
        fusionK = try container.value(.fusionK, or: fusionK)
        keywordWeight = try container.value(.keywordWeight, or: keywordWeight)
        vectorWeight = try container.value(.vectorWeight, or: vectorWeight)
        candidates = try container.value(.candidates, or: candidates)
        persistIntervalSeconds = try container.value(.persistIntervalSeconds, or: persistIntervalSeconds)
        samplesDirectory = try container.decodeIfPresent(String.self, forKey: .samplesDirectory)
    }
}

extension PillarConfiguration.LocalEmbedder {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, modelPath, port, threads
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.value(.mode, or: mode)
        modelPath = try container.decodeIfPresent(String.self, forKey: .modelPath)
        port = try container.value(.port, or: port)
        threads = try container.decodeIfPresent(Int.self, forKey: .threads)
    }
}
