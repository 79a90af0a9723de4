/// How one answer came to be: the flow and prompts it used, what was retrieved, every node's timing, usage and
/// guard results. Kept per tenant and served by `GET /v1/traces/{id}`.
public struct FlowTrace: Sendable, Hashable, Codable {
    /// A prompt or flow as used: its name, the version served, and the label that chose it.
    public struct ArtifactUse: Sendable, Hashable, Codable {
        public var name: String
        public var version: Int
        public var label: String?

        public init(name: String, version: Int, label: String?) {
            self.name = name
            self.version = version
            self.label = label
        }
    }

    public enum NodeStatus: String, Sendable, Hashable, Codable {
        case succeeded, skipped, failed
    }

    public struct NodeRun: Sendable, Hashable, Codable {
        public var name: String
        public var kind: String
        public var status: NodeStatus
        /// Milliseconds from the start of the flow.
        public var startMs: Double
        public var durationMs: Double
        public var errorCode: String?
        public var prompt: ArtifactUse?
        public var model: String?
        public var deployment: String?
        public var usage: Usage?
        /// The model's share of this node's time (llm nodes), so the flow's own overhead can be told apart.
        public var generationMs: Double?
        /// Why a node was skipped, which target a route chose, how many chunks a retrieval found.
        public var note: String?

        public init(
            name: String, kind: String, status: NodeStatus, startMs: Double, durationMs: Double,
            errorCode: String? = nil, prompt: ArtifactUse? = nil, model: String? = nil,
            deployment: String? = nil, usage: Usage? = nil, generationMs: Double? = nil, note: String? = nil
        ) {
            self.name = name
            self.kind = kind
            self.status = status
            self.startMs = startMs
            self.durationMs = durationMs
            self.errorCode = errorCode
            self.prompt = prompt
            self.model = model
            self.deployment = deployment
            self.usage = usage
            self.generationMs = generationMs
            self.note = note
        }
    }

    public struct RetrievedChunk: Sendable, Hashable, Codable {
        public var node: String
        public var marker: Int
        public var chunkID: Int64
        public var documentID: String
        public var documentVersion: Int
        public var sourceURI: String
        public var title: String?
        public var headingPath: [String]
        public var start: Int
        public var end: Int
        public var score: Double
        public var keywordRank: Int?
        public var vectorRank: Int?
        public var keywordScore: Double?
        public var vectorScore: Double?

        public init(
            node: String, marker: Int, chunkID: Int64, documentID: String, documentVersion: Int,
            sourceURI: String, title: String?, headingPath: [String], start: Int, end: Int, score: Double,
            keywordRank: Int?, vectorRank: Int?, keywordScore: Double?, vectorScore: Double?
        ) {
            self.node = node
            self.marker = marker
            self.chunkID = chunkID
            self.documentID = documentID
            self.documentVersion = documentVersion
            self.sourceURI = sourceURI
            self.title = title
            self.headingPath = headingPath
            self.start = start
            self.end = end
            self.score = score
            self.keywordRank = keywordRank
            self.vectorRank = vectorRank
            self.keywordScore = keywordScore
            self.vectorScore = vectorScore
        }
    }

    public struct GuardResult: Sendable, Hashable, Codable {
        public var node: String
        public var passed: Bool
        public var action: String
        public var findings: [String]

        public init(node: String, passed: Bool, action: String, findings: [String]) {
            self.node = node
            self.passed = passed
            self.action = action
            self.findings = findings
        }
    }

    /// The answer's own id: random, never taken from a request, so no caller can make two answers share one.
    public var id: String
    /// The OpenTelemetry trace the answer ran in, when tracing is on (callers may choose it via traceparent).
    public var telemetryTraceID: String?
    public var tenant: String
    public var subject: String
    public var conversationID: String?
    public var flow: ArtifactUse
    public var status: NodeStatus
    public var errorCode: String?
    public var standaloneQuery: String?
    public var retrieved: [RetrievedChunk]
    public var citedMarkers: [Int]
    public var nodes: [NodeRun]
    public var guards: [GuardResult]
    public var usage: Usage
    public var durationMs: Double
    /// Time spent waiting on models (llm nodes); `durationMs - generationMs` is what the flow itself added.
    public var generationMs: Double
    public var createdAt: Double

    public init(
        id: String, telemetryTraceID: String?, tenant: String, subject: String, conversationID: String?, flow: ArtifactUse,
        status: NodeStatus, errorCode: String?, standaloneQuery: String?, retrieved: [RetrievedChunk],
        citedMarkers: [Int], nodes: [NodeRun], guards: [GuardResult], usage: Usage, durationMs: Double,
        generationMs: Double, createdAt: Double
    ) {
        self.id = id
        self.telemetryTraceID = telemetryTraceID
        self.tenant = tenant
        self.subject = subject
        self.conversationID = conversationID
        self.flow = flow
        self.status = status
        self.errorCode = errorCode
        self.standaloneQuery = standaloneQuery
        self.retrieved = retrieved
        self.citedMarkers = citedMarkers
        self.nodes = nodes
        self.guards = guards
        self.usage = usage
        self.durationMs = durationMs
        self.generationMs = generationMs
        self.createdAt = createdAt
    }

    /// The prompts the answer used, in node order.
    public var prompts: [ArtifactUse] { nodes.compactMap(\.prompt) }
}

public protocol FlowTraceRepository: Sendable {
    func saveTrace(_ trace: FlowTrace) async throws
    func trace(id: String, tenant: String) async throws -> FlowTrace?
    /// The tenant's newest traces, newest first.
    func recentTraces(tenant: String, limit: Int) async throws -> [FlowTrace]
    /// A page of the tenant's traces that match, newest first, as summaries (no text of the conversation).
    func searchTraces(tenant: String, matching search: TraceSearch) async throws -> [TraceSummary]
}

/// What to look for among a tenant's traces; nil fields match anything. Times are seconds since 1970.
public struct TraceSearch: Sendable, Hashable {
    public var subject: String?
    public var flow: String?
    public var status: FlowTrace.NodeStatus?
    public var from: Double?
    public var to: Double?
    /// The id of the last trace of the previous page.
    public var after: String?
    public var limit: Int

    public init(
        subject: String? = nil, flow: String? = nil, status: FlowTrace.NodeStatus? = nil, from: Double? = nil,
        to: Double? = nil, after: String? = nil, limit: Int = 100
    ) {
        self.subject = subject
        self.flow = flow
        self.status = status
        self.from = from
        self.to = to
        self.after = after
        self.limit = limit
    }
}

/// One trace as a list shows it: who, which flow version, how it ended, how long and how many tokens it took.
public struct TraceSummary: Sendable, Hashable, Codable {
    public var id: String
    public var subject: String
    public var conversationID: String?
    public var flow: FlowTrace.ArtifactUse
    public var status: FlowTrace.NodeStatus
    public var errorCode: String?
    public var durationMs: Double
    public var totalTokens: Int
    public var createdAt: Double

    public init(_ trace: FlowTrace) {
        id = trace.id
        subject = trace.subject
        conversationID = trace.conversationID
        flow = trace.flow
        status = trace.status
        errorCode = trace.errorCode
        durationMs = trace.durationMs
        totalTokens = trace.usage.totalTokens
        createdAt = trace.createdAt
    }

    public init(
        id: String, subject: String, conversationID: String?, flow: FlowTrace.ArtifactUse, status: FlowTrace.NodeStatus,
        errorCode: String?, durationMs: Double, totalTokens: Int, createdAt: Double
    ) {
        self.id = id
        self.subject = subject
        self.conversationID = conversationID
        self.flow = flow
        self.status = status
        self.errorCode = errorCode
        self.durationMs = durationMs
        self.totalTokens = totalTokens
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, subject, flow, status
        case conversationID = "conversation_id"
        case errorCode = "error_code"
        case durationMs = "duration_ms"
        case totalTokens = "total_tokens"
        case createdAt = "created_at"
    }
}
