import Foundation

/// Any JSON value. Wire types keep the fields Pillar does not interpret (tools, response_format, logprobs…)
/// as `JSONValue`s so that the gateway relays them to the upstream untouched.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// A Codable value as JSON, through its own coding keys.
    public init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    /// The number as an integer when it is one (and small enough to be exact), so `3` is not written `3.0`.
    public static func exactInteger(_ value: Double) -> Int64? {
        value.rounded() == value && abs(value) < 1e15 ? Int64(value) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if let integer = Self.exactInteger(value) {
                try container.encode(integer)
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Strings, and arrays of strings, as a list (OIDC `aud`, `roles` and `groups` take both forms).
    public var stringList: [String] {
        switch self {
        case .string(let value): return [value]
        case .array(let values): return values.compactMap(\.stringValue)
        default: return []
        }
    }

    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }
}

/// A coding key for any name, used to split known fields from the ones kept as `extra`.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ string: String) { self.stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == AnyCodingKey {
    /// Every field of the object not named in `known`.
    public func extraFields(excluding known: Set<String>) throws -> [String: JSONValue] {
        var extra: [String: JSONValue] = [:]
        for key in allKeys where !known.contains(key.stringValue) {
            extra[key.stringValue] = try decode(JSONValue.self, forKey: key)
        }
        return extra
    }

    public func decodeIfPresent<T: Decodable>(_ type: T.Type, _ name: String) throws -> T? {
        try decodeIfPresent(type, forKey: AnyCodingKey(name))
    }

    public func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try decode(type, forKey: AnyCodingKey(name))
    }
}

extension KeyedEncodingContainer where Key == AnyCodingKey {
    public mutating func encodeExtra(_ extra: [String: JSONValue]) throws {
        for (name, value) in extra { try encode(value, forKey: AnyCodingKey(name)) }
    }

    public mutating func encodeIfPresent<T: Encodable>(_ value: T?, _ name: String) throws {
        try encodeIfPresent(value, forKey: AnyCodingKey(name))
    }

    public mutating func encode<T: Encodable>(_ value: T, _ name: String) throws {
        try encode(value, forKey: AnyCodingKey(name))
    }
}
