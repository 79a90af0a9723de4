/// What production monitoring keeps of one answer: no text, only what the quality signals are computed from
/// (outcome, timings, cost, how close retrieval came) and, for the sampled answers, the judges' scores and
/// the query's embedding for drift. One per flow answer, keyed by the trace id.
public struct QualitySample: Sendable, Hashable, Codable {
    public enum Judgement: String, Sendable, Hashable, Codable {
        /// The sampling rule left it out: it still counts for every signal but the judges'.
        case notSampled = "not_sampled"
        case pending, scored
        /// The judge could not be reached or answered off its rubric.
        case failed
    }

    public var traceID: String
    public var tenant: String
    /// The subject who asked, so that erasing them erases their samples (the query vector is theirs).
    public var subject: String
    /// Seconds since 1970.
    public var createdAt: Double
    public var flow: String
    public var flowVersion: Int
    /// The flow label that chose the version; nil when the request named a version.
    public var label: String?
    /// The prompts the llm nodes used, with their versions and labels (prompt canaries compare on these).
    public var prompts: [FlowTrace.ArtifactUse]
    /// The model that wrote the answer.
    public var model: String?
    /// The request ended in an error.
    public var failed: Bool
    /// A guard refused the question or the answer.
    public var refused: Bool
    /// The answer says the sources do not hold one.
    public var abstained: Bool
    public var latencyMs: Double
    /// Only for streamed answers.
    public var ttftMs: Double?
    public var costUSD: Double?
    /// The best retrieved chunk's vector similarity (0-1); nil when nothing was retrieved.
    public var coverage: Double?
    public var judgement: Judgement
    /// 0-1, once scored.
    public var groundedness: Double?
    public var relevance: Double?
    /// Nil until someone rates the answer.
    public var thumbsDown: Bool?

    public init(
        traceID: String, tenant: String, subject: String = "", createdAt: Double, flow: String,
        flowVersion: Int, label: String?, prompts: [FlowTrace.ArtifactUse] = [], model: String? = nil,
        failed: Bool = false, refused: Bool = false, abstained: Bool = false, latencyMs: Double,
        ttftMs: Double? = nil, costUSD: Double? = nil, coverage: Double? = nil,
        judgement: Judgement = .notSampled, groundedness: Double? = nil, relevance: Double? = nil,
        thumbsDown: Bool? = nil
    ) {
        self.traceID = traceID
        self.tenant = tenant
        self.subject = subject
        self.createdAt = createdAt
        self.flow = flow
        self.flowVersion = flowVersion
        self.label = label
        self.prompts = prompts
        self.model = model
        self.failed = failed
        self.refused = refused
        self.abstained = abstained
        self.latencyMs = latencyMs
        self.ttftMs = ttftMs
        self.costUSD = costUSD
        self.coverage = coverage
        self.judgement = judgement
        self.groundedness = groundedness
        self.relevance = relevance
        self.thumbsDown = thumbsDown
    }
}

/// Which samples a query wants: one tenant's (or every tenant's), in a time range, optionally one flow.
public struct QualitySampleQuery: Sendable, Hashable {
    public var tenant: String?
    public var flow: String?
    /// Seconds since 1970, `from` included, `to` excluded.
    public var from: Double
    public var to: Double
    public var limit: Int

    public init(tenant: String?, flow: String? = nil, from: Double, to: Double, limit: Int = 20_000) {
        self.tenant = tenant
        self.flow = flow
        self.from = from
        self.to = to
        self.limit = limit
    }
}

/// A canary analysis as stored: what it watches, and its spec and state as the monitoring module encodes
/// them (storage does not need to understand them).
public struct StoredCanaryAnalysis: Sendable, Hashable, Codable {
    public var id: String
    public var tenant: String
    public var kind: LibraryKind
    public var name: String
    public var label: String
    public var stableVersion: Int
    public var candidateVersion: Int
    /// `running`, `paused`, `promoted`, `rolled_back` or `aborted`.
    public var status: String
    public var spec: String
    public var state: String
    public var startedBy: String
    public var createdAt: Double
    public var updatedAt: Double

    public init(
        id: String, tenant: String, kind: LibraryKind, name: String, label: String, stableVersion: Int,
        candidateVersion: Int, status: String, spec: String, state: String, startedBy: String,
        createdAt: Double, updatedAt: Double
    ) {
        self.id = id
        self.tenant = tenant
        self.kind = kind
        self.name = name
        self.label = label
        self.stableVersion = stableVersion
        self.candidateVersion = candidateVersion
        self.status = status
        self.spec = spec
        self.state = state
        self.startedBy = startedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var isActive: Bool { status == "running" || status == "paused" }
}

public protocol QualityRepository: Sendable {
    /// Inserts samples; a trace id already stored is left as it is.
    func saveSamples(_ samples: [QualitySample]) async throws
    func updateJudgement(
        traceID: String, tenant: String, judgement: QualitySample.Judgement,
        groundedness: Double?, relevance: Double?) async throws
    /// Records the newest rating of an answer; false when the answer has no sample.
    func setThumbsDown(traceID: String, tenant: String, thumbsDown: Bool) async throws -> Bool
    func saveQueryVector(traceID: String, tenant: String, vector: [Float]) async throws
    /// The newest `query.limit` samples of the range, oldest first.
    func samples(_ query: QualitySampleQuery) async throws -> [QualitySample]
    func sample(traceID: String, tenant: String) async throws -> QualitySample?
    /// The tenants with samples in a time range.
    func sampleTenants(from: Double, to: Double) async throws -> [String]
    /// The query vectors of a tenant's flow label in a time range, at most `limit`: a uniform sample of the whole
    /// range (trace ids are random), so a week's reference is the week and not its last hour.
    func queryVectors(tenant: String, flow: String, label: String?, from: Double, to: Double, limit: Int) async throws
        -> [[Float]]
    /// Samples judged `pending` when the process stopped will never be judged: they become `failed`.
    func failPendingJudgements() async throws -> Int

    func saveAnalysis(_ analysis: StoredCanaryAnalysis) async throws
    func analysis(id: String, tenant: String) async throws -> StoredCanaryAnalysis?
    /// The newest analysis of a label, active or not.
    func latestAnalysis(tenant: String, kind: LibraryKind, name: String, label: String) async throws -> StoredCanaryAnalysis?
    func activeAnalyses() async throws -> [StoredCanaryAnalysis]

    /// Monitor states by key (a monitor's name and the tenant, flow and label it watches).
    func monitorStates() async throws -> [String: String]
    func saveMonitorState(key: String, monitor: String, state: String) async throws
}
