/// What a run evaluates and how: the dataset version, the flow (with any prompt or model it pins), how many
/// times each item is asked, how many at once, the identity retrieval runs under, and the metrics scored.
public struct EvalRunSpec: Sendable, Hashable, Codable {
    public var dataset: String
    /// Nil at request time means the newest; a stored run always names it.
    public var datasetVersion: Int?
    /// A flow reference: `rag`, `rag@candidate`, `rag@3`.
    public var flow: String
    /// Prompt references that replace what the flow's llm nodes would resolve: `rag-answer@3`.
    public var prompts: [String]
    /// A model every llm node uses instead of its own.
    public var model: String?
    public var repeats: Int
    public var concurrency: Int
    /// The groups retrieval filters by, as if a user in them asked.
    public var groups: [String]
    /// Metric names; empty means the defaults.
    public var metrics: [String]
    /// The model judges use; nil means the configured judge model.
    public var judgeModel: String?
    /// YAML of custom scorers (see docs/evaluation.md).
    public var scorers: String?
    public var note: String?

    public init(
        dataset: String, datasetVersion: Int? = nil, flow: String = "rag", prompts: [String] = [],
        model: String? = nil, repeats: Int = 1, concurrency: Int = 2, groups: [String] = [],
        metrics: [String] = [], judgeModel: String? = nil, scorers: String? = nil, note: String? = nil
    ) {
        self.dataset = dataset
        self.datasetVersion = datasetVersion
        self.flow = flow
        self.prompts = prompts
        self.model = model
        self.repeats = repeats
        self.concurrency = concurrency
        self.groups = groups
        self.metrics = metrics
        self.judgeModel = judgeModel
        self.scorers = scorers
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case dataset, flow, prompts, model, repeats, concurrency, groups, metrics, scorers, note
        case datasetVersion = "dataset_version"
        case judgeModel = "judge_model"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dataset = try container.decode(String.self, forKey: .dataset)
        datasetVersion = try container.decodeIfPresent(Int.self, forKey: .datasetVersion)
        flow = try container.decodeIfPresent(String.self, forKey: .flow) ?? "rag"
        prompts = try container.decodeIfPresent([String].self, forKey: .prompts) ?? []
        model = try container.decodeIfPresent(String.self, forKey: .model)
        repeats = try container.decodeIfPresent(Int.self, forKey: .repeats) ?? 1
        concurrency = try container.decodeIfPresent(Int.self, forKey: .concurrency) ?? 2
        groups = try container.decodeIfPresent([String].self, forKey: .groups) ?? []
        metrics = try container.decodeIfPresent([String].self, forKey: .metrics) ?? []
        judgeModel = try container.decodeIfPresent(String.self, forKey: .judgeModel)
        scorers = try container.decodeIfPresent(String.self, forKey: .scorers)
        note = try container.decodeIfPresent(String.self, forKey: .note)
    }
}

/// Everything that produced a run's answers, pinned when it started (and extended with the prompt versions
/// it actually used): enough to tell two runs' setups apart and to reproduce one.
public struct EvalRunVersions: Sendable, Hashable, Codable {
    public var flow: FlowTrace.ArtifactUse
    /// Every prompt version an answer or a judge used.
    public var prompts: [FlowTrace.ArtifactUse]
    public var models: [String]
    public var deployments: [String]
    /// The index as it stood: documents and chunks the tenant had, and when the newest was indexed.
    public var indexDocuments: Int
    public var indexChunks: Int
    public var indexUpdatedAt: Double?
    /// SHA-256 of the server's configuration (secrets are never in it), so a changed setting shows.
    public var configurationDigest: String

    public init(
        flow: FlowTrace.ArtifactUse, prompts: [FlowTrace.ArtifactUse] = [], models: [String] = [],
        deployments: [String] = [], indexDocuments: Int = 0, indexChunks: Int = 0, indexUpdatedAt: Double? = nil,
        configurationDigest: String = ""
    ) {
        self.flow = flow
        self.prompts = prompts
        self.models = models
        self.deployments = deployments
        self.indexDocuments = indexDocuments
        self.indexChunks = indexChunks
        self.indexUpdatedAt = indexUpdatedAt
        self.configurationDigest = configurationDigest
    }

    enum CodingKeys: String, CodingKey {
        case flow, prompts, models, deployments
        case indexDocuments = "index_documents"
        case indexChunks = "index_chunks"
        case indexUpdatedAt = "index_updated_at"
        case configurationDigest = "configuration_digest"
    }
}

/// A run as stored. `status` tells a finished run from one that stopped: only `completed` runs can be
/// compared as whole, marked as a baseline or allow a promotion.
public struct EvalRunRecord: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case running, completed, failed, cancelled
        /// The process stopped while it ran: `resume` finishes it.
        case interrupted
        /// The tenant's evaluation budget ran out: `resume` goes on once there is budget again.
        case budgetExhausted = "budget_exhausted"

        public var isFinished: Bool { self != .running }
    }

    public var id: String
    public var tenant: String
    public var spec: EvalRunSpec
    public var status: Status
    public var versions: EvalRunVersions
    /// Items times repeats.
    public var total: Int
    public var done: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var costUSD: Double
    public var error: String?
    public var createdBy: String
    public var createdAt: Double
    public var finishedAt: Double?

    public init(
        id: String, tenant: String, spec: EvalRunSpec, status: Status, versions: EvalRunVersions, total: Int,
        done: Int = 0, promptTokens: Int = 0, completionTokens: Int = 0, costUSD: Double = 0, error: String? = nil,
        createdBy: String, createdAt: Double, finishedAt: Double? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.spec = spec
        self.status = status
        self.versions = versions
        self.total = total
        self.done = done
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
        self.error = error
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenant, spec, status, versions, total, done, error
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case costUSD = "cost_usd"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case finishedAt = "finished_at"
    }
}
