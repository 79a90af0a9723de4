/// What Pillar knows of a metric: whether more is better, the value an answer must reach to pass (for
/// pass^k), and who computes it.
public struct EvalMetric: Sendable, Hashable, Codable {
    public enum Direction: String, Sendable, Hashable, Codable {
        case higherIsBetter = "higher"
        case lowerIsBetter = "lower"
    }

    public enum Kind: String, Sendable, Hashable, Codable {
        /// Computed from the answer and the item alone.
        case deterministic
        /// A model grades the answer on a 1-5 rubric.
        case judge
        /// Declared by the tenant in YAML (regex, contains, JSON schema or a judge prompt).
        case custom
    }

    public var name: String
    public var direction: Direction
    /// An answer passes when its value is at least this (at most, for lower-is-better metrics); nil for
    /// metrics with no notion of passing (latency, tokens, cost).
    public var passThreshold: Double?
    public var kind: Kind
    public var summary: String

    public init(name: String, direction: Direction = .higherIsBetter, passThreshold: Double?, kind: Kind, summary: String) {
        self.name = name
        self.direction = direction
        self.passThreshold = passThreshold
        self.kind = kind
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey {
        case name, direction, kind, summary
        case passThreshold = "pass_threshold"
    }

    public func passes(_ value: Double) -> Bool? {
        guard let passThreshold else { return nil }
        switch direction {
        case .higherIsBetter: return value >= passThreshold
        case .lowerIsBetter: return value <= passThreshold
        }
    }

    /// Every built-in metric. Judge metrics are scored 1-5; the rest 0-1 unless their name gives a unit.
    public static let builtIn: [EvalMetric] = [
        .init(
            name: "facts_recall", passThreshold: 1, kind: .deterministic,
            summary: "Share of the item's expected facts the answer states (normalised text)."),
        .init(
            name: "exact_match", passThreshold: 1, kind: .deterministic,
            summary: "1 when the normalised answer equals the normalised expected answer."),
        .init(
            name: "token_f1", passThreshold: 0.5, kind: .deterministic,
            summary: "Token F1 between the normalised answer and the expected answer."),
        .init(
            name: "citations_precision", passThreshold: 0.5, kind: .deterministic,
            summary: "Share of the answer's citations that name an expected source."),
        .init(
            name: "citations_recall", passThreshold: 1, kind: .deterministic,
            summary: "Share of the expected sources the answer cites."),
        .init(
            name: "citations_matched", passThreshold: 1, kind: .deterministic,
            summary: "azure-search-openai-demo's citations_matched: share of expected sources cited in the answer."),
        .init(
            name: "any_citation", passThreshold: 1, kind: .deterministic,
            summary: "azure-search-openai-demo's any_citation: 1 when the answer cites anything."),
        .init(
            name: "hit@5", passThreshold: 1, kind: .deterministic,
            summary: "1 when an expected source is among the first 5 retrieved documents (each once, where it first ranks)."),
        .init(
            name: "recall@5", passThreshold: 1, kind: .deterministic,
            summary: "Share of expected sources among the first 5 retrieved documents."),
        .init(
            name: "mrr", passThreshold: 0.5, kind: .deterministic,
            summary: "Reciprocal rank of the first retrieved document that is an expected source."),
        .init(
            name: "ndcg@5", passThreshold: 0.5, kind: .deterministic,
            summary: "nDCG of the first 5 retrieved documents, each expected source relevant once."),
        .init(
            name: "abstention_correct", passThreshold: 1, kind: .deterministic,
            summary: "1 when the answer abstains exactly when the item is unanswerable."),
        .init(
            name: "refused", direction: .lowerIsBetter, passThreshold: 0, kind: .deterministic,
            summary: "1 when a guard refused the question or the answer."),
        .init(
            name: "latency_ms", direction: .lowerIsBetter, passThreshold: nil, kind: .deterministic,
            summary: "Milliseconds from question to complete answer."),
        .init(
            name: "total_tokens", direction: .lowerIsBetter, passThreshold: nil, kind: .deterministic,
            summary: "Prompt and completion tokens of the answer's model calls (judges not included)."),
        .init(
            name: "cost_usd", direction: .lowerIsBetter, passThreshold: nil, kind: .deterministic,
            summary: "What the answer's model calls cost, at the configured prices."),
        .init(
            name: "groundedness", passThreshold: 4, kind: .judge,
            summary: "Judge, 1-5: every claim of the answer is supported by the retrieved passages."),
        .init(
            name: "relevance", passThreshold: 4, kind: .judge,
            summary: "Judge, 1-5: the answer addresses the question asked."),
        .init(
            name: "coherence", passThreshold: 4, kind: .judge,
            summary: "Judge, 1-5: the answer reads as one clear, well-ordered whole."),
        .init(
            name: "correctness", passThreshold: 4, kind: .judge,
            summary: "Judge, 1-5: the answer agrees with the expected answer."),
    ]

    public static func builtIn(named name: String) -> EvalMetric? { builtIn.first { $0.name == name } }
}
