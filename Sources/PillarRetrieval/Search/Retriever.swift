import Logging
import PillarCore
import PillarGateway
import Tracing

/// Search over a tenant's grounding data: BM25, vectors, or both fused, always within what the caller may
/// read.
public struct Retriever: Sendable {
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        case keyword, vector, hybrid
    }

    public struct Options: Sendable, Hashable {
        /// How many candidates each ranking hands to the fusion, at least.
        public var candidates: Int
        public var fusionK: Double
        public var keywordWeight: Double
        public var vectorWeight: Double

        public init(candidates: Int = 50, fusionK: Double = 60, keywordWeight: Double = 1, vectorWeight: Double = 1) {
            self.candidates = candidates
            self.fusionK = fusionK
            self.keywordWeight = keywordWeight
            self.vectorWeight = vectorWeight
        }
    }

    public struct Query: Sendable, Hashable {
        public var text: String
        public var mode: Mode
        public var topK: Int
        public var keywordWeight: Double?
        public var vectorWeight: Double?

        public init(text: String, mode: Mode = .hybrid, topK: Int = 5, keywordWeight: Double? = nil, vectorWeight: Double? = nil)
        {
            self.text = text
            self.mode = mode
            self.topK = topK
            self.keywordWeight = keywordWeight
            self.vectorWeight = vectorWeight
        }
    }

    public struct Result: Sendable, Hashable {
        public var hit: ChunkHit
        public var score: Double
        /// 1-based places in each ranking, when the chunk appeared in it.
        public var keywordRank: Int?
        public var vectorRank: Int?
        public var keywordScore: Double?
        public var vectorScore: Double?
    }

    /// A defect switched on deliberately (`PILLAR_TEST_FAULT`), so that tests can prove the isolation probe
    /// catches a leak. Never set in production; `pillar review` fails while one is.
    public enum InjectedFault: String, Sendable, Hashable, CaseIterable {
        /// Every search reads every document of the tenant, whatever its ACL.
        case leakDocumentACL = "leak-acl"
        /// Every search reads the isolation probe's tenant instead of the caller's.
        case leakTenant = "leak-tenant"
    }

    let repository: any DocumentRepository
    let vectors: VectorIndexRegistry
    let embedder: any Embedder
    let options: Options
    let fault: InjectedFault?

    public init(
        repository: any DocumentRepository, vectors: VectorIndexRegistry, embedder: any Embedder, options: Options = .init(),
        fault: InjectedFault? = nil
    ) {
        self.repository = repository
        self.vectors = vectors
        self.embedder = embedder
        self.options = options
        self.fault = fault
    }

    public func search(_ query: Query, scope: AccessScope, caller: ModelGateway.Caller) async throws -> [Result] {
        try await withSpan("retrieve", ofKind: .internal) { span in
            span.attributes["pillar.retrieval.mode"] = query.mode.rawValue
            span.attributes["pillar.retrieval.top_k"] = query.topK
            let results = try await rank(query, scope: try await faulted(scope), caller: caller)
            span.attributes["pillar.retrieval.results"] = results.count
            return results
        }
    }

    private func faulted(_ scope: AccessScope) async throws -> AccessScope {
        switch fault {
        case nil: return scope
        case .leakTenant?: return AccessScope(tenant: ProbeTenant.id, groups: scope.groups)
        case .leakDocumentACL?:
            let groups = try await repository.chunkAccess(tenant: scope.tenant).entries.flatMap(\.aclGroups)
            return AccessScope(tenant: scope.tenant, groups: scope.groups.union(groups))
        }
    }

    private func rank(_ query: Query, scope: AccessScope, caller: ModelGateway.Caller) async throws -> [Result] {
        let depth = query.mode == .hybrid ? max(options.candidates, query.topK * 4) : query.topK
        async let keywordRanking: [RankedChunk] =
            query.mode == .vector
            ? [] : repository.keywordSearch(query.text, scope: scope, limit: depth)
        var vectorRanking: [RankedChunk] = []
        if query.mode != .keyword {
            let embedding = try await embedder.embed([query.text], caller: caller)[0]
            vectorRanking = try await vectors.search(embedding, scope: scope, k: depth)
        }
        let keyword = try await keywordRanking

        let ordered: [(id: Int64, score: Double)]
        switch query.mode {
        case .keyword: ordered = keyword.map { ($0.id, $0.score) }
        case .vector: ordered = vectorRanking.map { ($0.id, $0.score) }
        case .hybrid:
            let fusion = ReciprocalRankFusion(
                k: options.fusionK,
                weights: [
                    query.keywordWeight ?? options.keywordWeight, query.vectorWeight ?? options.vectorWeight,
                ])
            ordered = fusion.fuse([keyword.map(\.id), vectorRanking.map(\.id)])
        }
        let top = Array(ordered.prefix(query.topK))
        let hits = try await repository.chunkHits(tenant: scope.tenant, ids: top.map(\.id))
        var keywordPlaces: [Int64: (Int, Double)] = [:]
        for (index, entry) in keyword.enumerated() { keywordPlaces[entry.id] = (index + 1, entry.score) }
        var vectorPlaces: [Int64: (Int, Double)] = [:]
        for (index, entry) in vectorRanking.enumerated() { vectorPlaces[entry.id] = (index + 1, entry.score) }
        return top.compactMap { entry in
            // A chunk deleted between ranking and reading, or (defence in depth) one outside the scope, is dropped.
            guard let hit = hits[entry.id], scope.canRead(aclGroups: hit.aclGroups) else { return nil }
            return Result(
                hit: hit, score: entry.score, keywordRank: keywordPlaces[entry.id]?.0,
                vectorRank: vectorPlaces[entry.id]?.0, keywordScore: keywordPlaces[entry.id]?.1,
                vectorScore: vectorPlaces[entry.id]?.1)
        }
    }
}
