import Foundation
import PillarCore

extension JSONValue {
    /// Truthiness used by conditions: everything but null, false, 0, "", [] and {} is true.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .number(let value): value != 0
        case .string(let value): !value.isEmpty
        case .array(let value): !value.isEmpty
        case .object(let value): !value.isEmpty
        }
    }

    /// `is empty` in conditions: null, "", [] and {} are empty; numbers and bools never are.
    public var isEmpty: Bool {
        switch self {
        case .null: true
        case .bool, .number: false
        case .string(let value): value.isEmpty
        case .array(let value): value.isEmpty
        case .object(let value): value.isEmpty
        }
    }

    /// Follows a path of object keys and array indices (numeric components); nil when any step is missing.
    public subscript(path path: [String]) -> JSONValue? {
        var current = self
        for component in path {
            switch current {
            case .object(let object):
                guard let next = object[component] else { return nil }
                current = next
            case .array(let array):
                guard let index = Int(component), array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Rendering used for string interpolation: strings as-is, integral numbers without ".0",
    /// bools as true/false, null as "", arrays and objects as compact JSON (sorted keys).
    public var interpolatedText: String {
        switch self {
        case .null: return ""
        case .bool(let value): return value ? "true" : "false"
        case .number(let value): return Self.render(number: value)
        case .string(let value): return value
        case .array, .object: return compactJSON
        }
    }

    /// Compact JSON text with sorted keys.
    public var compactJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    static func render(number value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(value)
    }
}
