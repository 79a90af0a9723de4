/// `POST /v1/embeddings` request body, in OpenAI's shape. `input` is one string or a list of strings
/// (token-id arrays are refused: Pillar meters and guards text).
public struct EmbeddingsRequest: Sendable, Hashable, Codable {
    public enum EncodingFormat: String, Sendable, Hashable, Codable {
        case float, base64
    }

    public var model: String
    public var input: [String]
    public var encodingFormat: EncodingFormat?
    public var dimensions: Int?
    public var user: String?

    /// One request may carry at most this many inputs (OpenAI's own cap).
    public static let maxInputs = 2048
    /// And each input at most this many characters, far above any embedding model's window.
    public static let maxInputCharacters = 100_000

    public init(model: String, input: [String], encodingFormat: EncodingFormat? = nil, dimensions: Int? = nil) {
        self.model = model
        self.input = input
        self.encodingFormat = encodingFormat
        self.dimensions = dimensions
    }

    enum CodingKeys: String, CodingKey {
        case model, input, dimensions, user
        case encodingFormat = "encoding_format"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model =
            try container.decodeIfPresent(String.self, forKey: .model) ?? (decoder.userInfo[.modelFromPath] as? String)
            ?? container.decode(String.self, forKey: .model)
        if let one = try? container.decode(String.self, forKey: .input) {
            input = [one]
        } else if let many = try? container.decode([String].self, forKey: .input) {
            input = many
        } else {
            throw DecodingError.dataCorruptedError(
                forKey: .input, in: container, debugDescription: "'input' must be a string or a list of strings")
        }
        encodingFormat = try container.decodeIfPresent(EncodingFormat.self, forKey: .encodingFormat)
        dimensions = try container.decodeIfPresent(Int.self, forKey: .dimensions)
        user = try container.decodeIfPresent(String.self, forKey: .user)
    }

    public func validate() throws(PillarError) {
        if model.isEmpty { throw .invalidRequest("'model' must not be empty", param: "model") }
        if input.isEmpty { throw .invalidRequest("'input' must hold at least one text", param: "input") }
        if input.count > Self.maxInputs {
            throw .invalidRequest("'input' may hold at most \(Self.maxInputs) texts", param: "input")
        }
        for (index, text) in input.enumerated() {
            if text.isEmpty { throw .invalidRequest("input[\(index)] must not be empty", param: "input[\(index)]") }
            if text.utf8.count > Self.maxInputCharacters * 4 || text.count > Self.maxInputCharacters {
                throw .invalidRequest(
                    "input[\(index)] is longer than \(Self.maxInputCharacters) characters",
                    param: "input[\(index)]")
            }
        }
        if let dimensions, dimensions < 1 {
            throw .invalidRequest("'dimensions' must be at least 1", param: "dimensions")
        }
    }
}

/// `POST /v1/embeddings` response body. Vectors are decoded from floats; encoding them as base64 for a
/// caller that asked for it is the HTTP edge's business.
public struct EmbeddingsResponse: Sendable, Hashable, Codable {
    public struct Item: Sendable, Hashable, Codable {
        public var object: String
        public var index: Int
        public var embedding: [Float]

        public init(index: Int, embedding: [Float]) {
            self.object = "embedding"
            self.index = index
            self.embedding = embedding
        }

        enum CodingKeys: String, CodingKey { case object, index, embedding }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            object = try container.decodeIfPresent(String.self, forKey: .object) ?? "embedding"
            index = try container.decode(Int.self, forKey: .index)
            embedding = try container.decode([Float].self, forKey: .embedding)
        }
    }

    public struct Usage: Sendable, Hashable, Codable {
        public var promptTokens: Int
        public var totalTokens: Int

        public init(promptTokens: Int) {
            self.promptTokens = promptTokens
            self.totalTokens = promptTokens
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case totalTokens = "total_tokens"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            promptTokens = try container.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
            totalTokens = try container.decodeIfPresent(Int.self, forKey: .totalTokens) ?? promptTokens
        }
    }

    public var object: String
    public var data: [Item]
    public var model: String
    public var usage: Usage?

    public init(data: [Item], model: String, usage: Usage?) {
        self.object = "list"
        self.data = data
        self.model = model
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey { case object, data, model, usage }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        object = try container.decodeIfPresent(String.self, forKey: .object) ?? "list"
        data = try container.decode([Item].self, forKey: .data)
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
    }
}

extension CodingUserInfoKey {
    /// The model a route's path names (Azure OpenAI's deployment), for request bodies that name none.
    public static let modelFromPath = CodingUserInfoKey(rawValue: "pillar.modelFromPath")!
}
