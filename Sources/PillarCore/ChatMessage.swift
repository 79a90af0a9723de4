/// One message of a chat, in OpenAI's schema. Content is text or a list of parts (text, image…);
/// fields Pillar does not read (tool_calls, tool_call_id, name…) are kept in `extra` and relayed.
public struct ChatMessage: Sendable, Hashable, Codable {
    public enum Content: Sendable, Hashable, Codable {
        case text(String)
        case parts([JSONValue])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .parts(try container.decode([JSONValue].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .parts(let parts): try container.encode(parts)
            }
        }

        /// The text of the content: the string itself, or the text parts joined.
        public var text: String {
            switch self {
            case .text(let text): return text
            case .parts(let parts):
                return parts.compactMap { part -> String? in
                    guard case .object(let fields) = part, fields["type"]?.stringValue == "text" else { return nil }
                    return fields["text"]?.stringValue
                }.joined(separator: "\n")
            }
        }
    }

    public static let knownRoles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    public var role: String
    public var content: Content?
    public var extra: [String: JSONValue]

    public init(role: String, content: String?, extra: [String: JSONValue] = [:]) {
        self.role = role
        self.content = content.map(Content.text)
        self.extra = extra
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        self.role = try container.decode(String.self, "role")
        self.content = try container.decodeIfPresent(Content.self, "content")
        self.extra = try container.extraFields(excluding: ["role", "content"])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encodeExtra(extra)
        try container.encode(role, "role")
        if let content {
            try container.encode(content, "content")
        } else {
            try container.encodeNil(forKey: AnyCodingKey("content"))
        }
    }
}
