/// One question of an evaluation dataset: what is asked (with the turns before it, for follow-ups), what a
/// good answer says, which sources it should cite, and whether the documents can answer it at all.
public struct EvalItem: Sendable, Hashable, Codable {
    /// A turn of the conversation before the question.
    public struct Turn: Sendable, Hashable, Codable {
        public var role: String
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    /// A person's verdict on an answer to this question (from production feedback): what judges are checked
    /// against.
    public struct HumanJudgement: Sendable, Hashable, Codable {
        /// 1 (bad) to 5 (good).
        public var rating: Int
        /// True when the verdict was a thumb (up is 5, down is 1) rather than a rating.
        public var thumbs: Bool

        public init(rating: Int, thumbs: Bool) {
            self.rating = rating
            self.thumbs = thumbs
        }
    }

    /// Unique within a dataset version.
    public var id: String
    public var question: String
    public var history: [Turn]
    public var expectedAnswer: String?
    /// Short statements a correct answer contains (compared normalised).
    public var expectedFacts: [String]
    /// Document ids, source URIs or titles the answer should cite.
    public var expectedSources: [String]
    public var tags: [String]
    /// False when the documents hold no answer: the right response is to say so.
    public var answerable: Bool
    public var human: HumanJudgement?
    /// The production answer this item was made from.
    public var traceID: String?

    public init(
        id: String, question: String, history: [Turn] = [], expectedAnswer: String? = nil,
        expectedFacts: [String] = [], expectedSources: [String] = [], tags: [String] = [],
        answerable: Bool = true, human: HumanJudgement? = nil, traceID: String? = nil
    ) {
        self.id = id
        self.question = question
        self.history = history
        self.expectedAnswer = expectedAnswer
        self.expectedFacts = expectedFacts
        self.expectedSources = expectedSources
        self.tags = tags
        self.answerable = answerable
        self.human = human
        self.traceID = traceID
    }

    enum CodingKeys: String, CodingKey {
        case id, question, history, tags, answerable, human
        case expectedAnswer = "expected_answer"
        case expectedFacts = "expected_facts"
        case expectedSources = "expected_sources"
        case traceID = "trace_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        question = try container.decode(String.self, forKey: .question)
        history = try container.decodeIfPresent([Turn].self, forKey: .history) ?? []
        expectedAnswer = try container.decodeIfPresent(String.self, forKey: .expectedAnswer)
        expectedFacts = try container.decodeIfPresent([String].self, forKey: .expectedFacts) ?? []
        expectedSources = try container.decodeIfPresent([String].self, forKey: .expectedSources) ?? []
        tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        answerable = try container.decodeIfPresent(Bool.self, forKey: .answerable) ?? true
        human = try container.decodeIfPresent(HumanJudgement.self, forKey: .human)
        traceID = try container.decodeIfPresent(String.self, forKey: .traceID)
    }
}
