import Foundation

/// A JSON value as the custom scorers compare it: an answer parsed as JSON, or a schema's `enum` and
/// `const`. Numbers are doubles, so 1 and 1.0 are equal, as JSON Schema says.
enum ScorerJSON: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ScorerJSON])
    case object([String: ScorerJSON])

    /// Answers are read as JSON up to this size and nesting.
    static let sizeLimit = 1 << 20
    static let depthLimit = 64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let elements = try? container.decode([ScorerJSON].self) {
            self = .array(elements)
        } else {
            self = .object(try container.decode([String: ScorerJSON].self))
        }
    }

    /// Why `text` is not JSON this scorer reads, or its value.
    static func parse(_ text: String) -> Result<ScorerJSON, ParseFailure> {
        let data = Data(text.utf8)
        guard data.count <= sizeLimit else { return .failure(.init(reason: "the answer is larger than 1 MiB")) }
        guard nesting(of: data) <= depthLimit else {
            return .failure(.init(reason: "the answer nests deeper than \(depthLimit) levels"))
        }
        do {
            return .success(try JSONDecoder().decode(ScorerJSON.self, from: data))
        } catch {
            return .failure(.init(reason: "the answer is not JSON"))
        }
    }

    struct ParseFailure: Error {
        var reason: String
    }

    /// The deepest nesting of arrays and objects, outside strings; bounds the decoder's recursion.
    static func nesting(of data: Data) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    /// The JSON Schema type names this value has: an integral number is both `number` and `integer`.
    var typeNames: Set<String> {
        switch self {
        case .null: return ["null"]
        case .bool: return ["boolean"]
        case .number(let value): return value.rounded() == value && value.isFinite ? ["number", "integer"] : ["number"]
        case .string: return ["string"]
        case .array: return ["array"]
        case .object: return ["object"]
        }
    }

    var typeName: String {
        switch self {
        case .number(let value): return value.rounded() == value ? "integer" : "number"
        default: return typeNames.first ?? "value"
        }
    }
}
