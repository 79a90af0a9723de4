/// A source as an evaluation sees it: which document, and where it ranked or which marker cited it.
public struct EvalSource: Sendable, Hashable, Codable {
    /// The rank among retrieved chunks (1 is best), or the `[n]` marker of a citation.
    public var rank: Int
    public var documentID: String
    public var sourceURI: String
    public var title: String?
    public var score: Double?

    public init(rank: Int, documentID: String, sourceURI: String, title: String?, score: Double? = nil) {
        self.rank = rank
        self.documentID = documentID
        self.sourceURI = sourceURI
        self.title = title
        self.score = score
    }

    enum CodingKeys: String, CodingKey {
        case rank, title, score
        case documentID = "document_id"
        case sourceURI = "source_uri"
    }

    /// Whether an expected source (a document id, a source URI, its last path component, or a title) names
    /// this one; compared without case.
    public func matches(_ expected: String) -> Bool {
        let wanted = expected.lowercased()
        if documentID.lowercased() == wanted || sourceURI.lowercased() == wanted { return true }
        if let title, title.lowercased() == wanted { return true }
        if let last = sourceURI.split(separator: "/").last, last.lowercased() == wanted { return true }
        return false
    }
}

/// One metric's value for one answer. `value` is nil when the metric does not apply (no expected answer,
/// say) or could not be computed, and then `error` says why when it is a failure (a judge that answered off
/// its rubric); a judge's `reason` comes along with its score.
public struct EvalScore: Sendable, Hashable, Codable {
    public var value: Double?
    public var reason: String?
    public var error: String?

    public init(value: Double?, reason: String? = nil, error: String? = nil) {
        self.value = value
        self.reason = reason
        self.error = error
    }
}

/// What one item's answer was, in one repeat of a run, and how it scored.
public struct EvalResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// The flow answered.
        case answered
        /// A guard refused the question or the answer.
        case refused
        /// The flow or a model failed.
        case failed
    }

    public var runID: String
    public var itemID: String
    /// 0-based: which of the run's repeats.
    public var repeatIndex: Int
    public var status: Status
    public var errorCode: String?
    public var errorMessage: String?
    public var answer: String
    public var citations: [EvalSource]
    public var retrieved: [EvalSource]
    /// The passages' text as the answering model saw it, for judges of groundedness (not stored).
    public var contextText: String
    public var latencyMs: Double
    public var promptTokens: Int
    public var completionTokens: Int
    public var costUSD: Double?
    public var traceID: String?
    public var scores: [String: EvalScore]
    public var createdAt: Double

    public init(
        runID: String, itemID: String, repeatIndex: Int, status: Status, errorCode: String? = nil,
        errorMessage: String? = nil, answer: String, citations: [EvalSource] = [], retrieved: [EvalSource] = [],
        contextText: String = "", latencyMs: Double, promptTokens: Int = 0, completionTokens: Int = 0,
        costUSD: Double? = nil, traceID: String? = nil, scores: [String: EvalScore] = [:], createdAt: Double
    ) {
        self.runID = runID
        self.itemID = itemID
        self.repeatIndex = repeatIndex
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.answer = answer
        self.citations = citations
        self.retrieved = retrieved
        self.contextText = contextText
        self.latencyMs = latencyMs
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
        self.traceID = traceID
        self.scores = scores
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case status, answer, citations, retrieved, scores
        case runID = "run_id"
        case itemID = "item_id"
        case repeatIndex = "repeat"
        case errorCode = "error_code"
        case errorMessage = "error_message"
        case latencyMs = "latency_ms"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case costUSD = "cost_usd"
        case traceID = "trace_id"
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runID = try container.decode(String.self, forKey: .runID)
        itemID = try container.decode(String.self, forKey: .itemID)
        repeatIndex = try container.decode(Int.self, forKey: .repeatIndex)
        status = try container.decode(Status.self, forKey: .status)
        errorCode = try container.decodeIfPresent(String.self, forKey: .errorCode)
        errorMessage = try container.decodeIfPresent(String.self, forKey: .errorMessage)
        answer = try container.decode(String.self, forKey: .answer)
        citations = try container.decodeIfPresent([EvalSource].self, forKey: .citations) ?? []
        retrieved = try container.decodeIfPresent([EvalSource].self, forKey: .retrieved) ?? []
        contextText = ""
        latencyMs = try container.decode(Double.self, forKey: .latencyMs)
        promptTokens = try container.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        completionTokens = try container.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        costUSD = try container.decodeIfPresent(Double.self, forKey: .costUSD)
        traceID = try container.decodeIfPresent(String.self, forKey: .traceID)
        scores = try container.decodeIfPresent([String: EvalScore].self, forKey: .scores) ?? [:]
        createdAt = try container.decode(Double.self, forKey: .createdAt)
    }
}
