/// `POST /v1/chat/completions` request body. The fields Pillar reads are typed; everything else is kept in
/// `extra` and sent on to the upstream unchanged.
public struct ChatCompletionRequest: Sendable, Hashable, Codable {
    public struct StreamOptions: Sendable, Hashable, Codable {
        public var includeUsage: Bool?
        public init(includeUsage: Bool?) { self.includeUsage = includeUsage }
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    public var model: String
    public var messages: [ChatMessage]
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var n: Int?
    public var user: String?
    public var extra: [String: JSONValue]

    static let knownFields: Set<String> = [
        "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens",
        "temperature", "top_p", "n", "user",
    ]

    public init(
        model: String, messages: [ChatMessage], stream: Bool? = nil, streamOptions: StreamOptions? = nil,
        maxTokens: Int? = nil, temperature: Double? = nil, extra: [String: JSONValue] = [:]
    ) {
        self.model = model
        self.messages = messages
        self.stream = stream
        self.streamOptions = streamOptions
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.extra = extra
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        self.model =
            try container.decodeIfPresent(String.self, "model") ?? (decoder.userInfo[.modelFromPath] as? String)
            ?? container.decode(String.self, "model")
        self.messages = try container.decode([ChatMessage].self, "messages")
        self.stream = try container.decodeIfPresent(Bool.self, "stream")
        self.streamOptions = try container.decodeIfPresent(StreamOptions.self, "stream_options")
        self.maxTokens = try container.decodeIfPresent(Int.self, "max_tokens")
        self.maxCompletionTokens = try container.decodeIfPresent(Int.self, "max_completion_tokens")
        self.temperature = try container.decodeIfPresent(Double.self, "temperature")
        self.topP = try container.decodeIfPresent(Double.self, "top_p")
        self.n = try container.decodeIfPresent(Int.self, "n")
        self.user = try container.decodeIfPresent(String.self, "user")
        self.extra = try container.extraFields(excluding: Self.knownFields)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encodeExtra(extra)
        try container.encode(model, "model")
        try container.encode(messages, "messages")
        try container.encodeIfPresent(stream, "stream")
        try container.encodeIfPresent(streamOptions, "stream_options")
        try container.encodeIfPresent(maxTokens, "max_tokens")
        try container.encodeIfPresent(maxCompletionTokens, "max_completion_tokens")
        try container.encodeIfPresent(temperature, "temperature")
        try container.encodeIfPresent(topP, "top_p")
        try container.encodeIfPresent(n, "n")
        try container.encodeIfPresent(user, "user")
    }

    public var isStreaming: Bool { stream ?? false }

    /// The reply-length cap the caller asked for, whichever of the two spellings it used.
    public var completionTokenLimit: Int? { maxCompletionTokens ?? maxTokens }

    /// Checks what JSON decoding cannot: values in range and a usable message list.
    public func validate() throws(PillarError) {
        if model.isEmpty { throw .invalidRequest("'model' must not be empty", param: "model") }
        if messages.isEmpty { throw .invalidRequest("'messages' must hold at least one message", param: "messages") }
        for (index, message) in messages.enumerated() where !ChatMessage.knownRoles.contains(message.role) {
            throw .invalidRequest(
                "messages[\(index)].role '\(message.role)' is not one of system, developer, user, assistant, tool",
                param: "messages[\(index)].role")
        }
        if let limit = completionTokenLimit, limit < 1 {
            throw .invalidRequest("'max_tokens' must be at least 1", param: "max_tokens")
        }
        if let temperature, !(0...2).contains(temperature) {
            throw .invalidRequest("'temperature' must be between 0 and 2", param: "temperature")
        }
        if let topP, !(0...1).contains(topP) {
            throw .invalidRequest("'top_p' must be between 0 and 1", param: "top_p")
        }
        if let n, n != 1 {
            throw .invalidRequest("'n' other than 1 is not supported", param: "n")
        }
    }
}
