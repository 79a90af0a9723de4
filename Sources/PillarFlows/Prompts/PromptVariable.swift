/// A variable a prompt template declares. `required` defaults to true, also when decoding.
public struct PromptVariable: Sendable, Hashable, Codable {
    public var name: String
    public var required: Bool
    public var description: String?

    public init(name: String, required: Bool = true, description: String? = nil) {
        self.name = name
        self.required = required
        self.description = description
    }

    private enum CodingKeys: String, CodingKey {
        case name, required, description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? true
        self.description = try container.decodeIfPresent(String.self, forKey: .description)
    }

    /// Whether `name` matches `[A-Za-z_][A-Za-z0-9_]{0,63}`.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 64 else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95
        }
        guard isLetter(first) else { return false }
        return bytes.dropFirst().allSatisfy { isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }
}
