/// Token counts of one call, as OpenAI reports them.
public struct Usage: Sendable, Hashable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = promptTokens + completionTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.promptTokens = try container.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        self.completionTokens = try container.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        self.totalTokens =
            try container.decodeIfPresent(Int.self, forKey: .totalTokens)
            ?? promptTokens + completionTokens
    }
}

/// A whole (non-streamed) chat completion. Fields Pillar does not read (`system_fingerprint`,
/// `prompt_filter_results`, a choice's `logprobs` or `content_filter_results`…) are kept in `extra` and relayed.
public struct ChatCompletion: Sendable, Hashable, Codable {
    public struct Choice: Sendable, Hashable, Codable {
        public var index: Int
        public var message: ChatMessage
        public var finishReason: String?
        public var extra: [String: JSONValue]

        public init(index: Int, message: ChatMessage, finishReason: String?, extra: [String: JSONValue] = [:]) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
            self.extra = extra
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyCodingKey.self)
            index = try container.decodeIfPresent(Int.self, "index") ?? 0
            message = try container.decode(ChatMessage.self, "message")
            finishReason = try container.decodeIfPresent(String.self, "finish_reason")
            extra = try container.extraFields(excluding: ["index", "message", "finish_reason"])
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            try container.encodeExtra(extra)
            try container.encode(index, "index")
            try container.encode(message, "message")
            try container.encode(finishReason, "finish_reason")
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?
    public var extra: [String: JSONValue]

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage?, extra: [String: JSONValue] = [:]) {
        self.id = id
        self.object = "chat.completion"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.extra = extra
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        id = try container.decodeIfPresent(String.self, "id") ?? ""
        object = try container.decodeIfPresent(String.self, "object") ?? "chat.completion"
        created = try container.decodeIfPresent(Int.self, "created") ?? 0
        model = try container.decodeIfPresent(String.self, "model") ?? ""
        choices = try container.decode([Choice].self, "choices")
        usage = try container.decodeIfPresent(Usage.self, "usage")
        extra = try container.extraFields(excluding: ["id", "object", "created", "model", "choices", "usage"])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encodeExtra(extra)
        try container.encode(id, "id")
        try container.encode(object, "object")
        try container.encode(created, "created")
        try container.encode(model, "model")
        try container.encode(choices, "choices")
        try container.encodeIfPresent(usage, "usage")
    }

    /// The text of the first choice, which is the answer for the `n = 1` requests Pillar serves.
    public var text: String { choices.first?.message.content?.text ?? "" }
}

/// One server-sent event of a streamed chat completion; unread fields are kept in `extra`, as above.
public struct ChatCompletionChunk: Sendable, Hashable, Codable {
    public struct Delta: Sendable, Hashable, Codable {
        public var role: String?
        public var content: String?
        public var extra: [String: JSONValue]

        public init(role: String? = nil, content: String? = nil, extra: [String: JSONValue] = [:]) {
            self.role = role
            self.content = content
            self.extra = extra
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyCodingKey.self)
            self.role = try container.decodeIfPresent(String.self, "role")
            self.content = try container.decodeIfPresent(String.self, "content")
            self.extra = try container.extraFields(excluding: ["role", "content"])
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            try container.encodeExtra(extra)
            try container.encodeIfPresent(role, "role")
            try container.encodeIfPresent(content, "content")
        }
    }

    public struct Choice: Sendable, Hashable, Codable {
        public var index: Int
        public var delta: Delta
        public var finishReason: String?
        public var extra: [String: JSONValue]

        public init(index: Int, delta: Delta, finishReason: String?, extra: [String: JSONValue] = [:]) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
            self.extra = extra
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyCodingKey.self)
            index = try container.decodeIfPresent(Int.self, "index") ?? 0
            delta = try container.decodeIfPresent(Delta.self, "delta") ?? Delta()
            finishReason = try container.decodeIfPresent(String.self, "finish_reason")
            extra = try container.extraFields(excluding: ["index", "delta", "finish_reason"])
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            try container.encodeExtra(extra)
            try container.encode(index, "index")
            try container.encode(delta, "delta")
            try container.encode(finishReason, "finish_reason")
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?
    public var extra: [String: JSONValue]

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage? = nil, extra: [String: JSONValue] = [:])
    {
        self.id = id
        self.object = "chat.completion.chunk"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.extra = extra
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        id = try container.decodeIfPresent(String.self, "id") ?? ""
        object = try container.decodeIfPresent(String.self, "object") ?? "chat.completion.chunk"
        created = try container.decodeIfPresent(Int.self, "created") ?? 0
        model = try container.decodeIfPresent(String.self, "model") ?? ""
        choices = try container.decodeIfPresent([Choice].self, "choices") ?? []
        usage = try container.decodeIfPresent(Usage.self, "usage")
        extra = try container.extraFields(excluding: ["id", "object", "created", "model", "choices", "usage"])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encodeExtra(extra)
        try container.encode(id, "id")
        try container.encode(object, "object")
        try container.encode(created, "created")
        try container.encode(model, "model")
        try container.encode(choices, "choices")
        try container.encodeIfPresent(usage, "usage")
    }

    public var contentDelta: String { choices.compactMap(\.delta.content).joined() }

    /// Whether the chunk carries part of an answer: text, or any other delta field that is not empty (tool
    /// or function call pieces, a refusal, reasoning). A role-only opening chunk and a usage chunk do not.
    public var carriesOutput: Bool {
        choices.contains { choice in
            if let content = choice.delta.content, !content.isEmpty { return true }
            return choice.delta.extra.values.contains { value in
                switch value {
                case .null: return false
                case .string(let text): return !text.isEmpty
                case .array(let items): return !items.isEmpty
                case .object(let fields): return !fields.isEmpty
                case .bool, .number: return true
                }
            }
        }
    }
}

/// `GET /v1/models`.
public struct ModelList: Sendable, Codable, Hashable {
    public struct Model: Sendable, Codable, Hashable {
        public var id: String
        public var object: String = "model"
        public var created: Int
        public var ownedBy: String
        /// Pillar's addition: what the model does (`chat`, `embeddings`), so a client can pick a chat model.
        public var capabilities: [String]?

        public init(id: String, created: Int, ownedBy: String, capabilities: [String]? = nil) {
            self.id = id
            self.created = created
            self.ownedBy = ownedBy
            self.capabilities = capabilities
        }

        enum CodingKeys: String, CodingKey {
            case id, object, created, capabilities
            case ownedBy = "owned_by"
        }
    }

    public var object: String = "list"
    public var data: [Model]

    public init(data: [Model]) { self.data = data }
}
