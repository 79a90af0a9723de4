import Foundation

/// The part of JSON Schema a `json_schema` scorer checks: `type` (with `integer`), `properties`,
/// `required`, `additionalProperties` (true or false), `items` (one schema), `enum`, `const`, `minimum`,
/// `maximum`, `minLength`, `maxLength` (in Unicode code points), `pattern` (searched, not anchored),
/// `minItems` and `maxItems`. `true` accepts anything and `false` nothing. Nested at most `depthLimit` deep.
public struct JSONSchemaSubset: Sendable, Hashable {
    public static let depthLimit = 32
    public static let typeNames: Set<String> = ["null", "boolean", "object", "array", "number", "string", "integer"]

    var acceptsNothing = false
    var types: Set<String>?
    var properties: [String: JSONSchemaSubset] = [:]
    var required: [String] = []
    var additionalProperties = true
    /// Zero or one schema: an array keeps the recursive value without a box.
    var itemSchemas: [JSONSchemaSubset] = []
    var enumValues: [ScorerJSON]?
    var constValue: ScorerJSON?
    var minimum: Double?
    var maximum: Double?
    var minLength: Int?
    var maxLength: Int?
    var pattern: ScorerPattern?
    var minItems: Int?
    var maxItems: Int?

    /// A schema that accepts anything (`true`) or nothing (`false`).
    init(accepting: Bool) {
        acceptsNothing = !accepting
    }

    /// Why `value` does not conform, or nil when it does. `path` names where, `$` being the whole value.
    func violation(of value: ScorerJSON, at path: String = "$") -> String? {
        if acceptsNothing { return "\(path): no value is allowed here" }
        if let types, types.isDisjoint(with: value.typeNames) {
            return "\(path): expected \(types.sorted().joined(separator: " or ")), got \(value.typeName)"
        }
        if let enumValues, !enumValues.contains(value) { return "\(path): the value is not one of the allowed values" }
        if let constValue, constValue != value { return "\(path): the value is not the required constant" }
        switch value {
        case .number(let number):
            if let minimum, number < minimum {
                return "\(path): \(Self.format(number)) is less than the minimum \(Self.format(minimum))"
            }
            if let maximum, number > maximum {
                return "\(path): \(Self.format(number)) is more than the maximum \(Self.format(maximum))"
            }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minLength, length < minLength { return "\(path): the string is shorter than \(minLength) characters" }
            if let maxLength, length > maxLength { return "\(path): the string is longer than \(maxLength) characters" }
            if let pattern, !pattern.matches(text) { return "\(path): the string does not match the pattern \(pattern.source)" }
        case .array(let elements):
            if let minItems, elements.count < minItems { return "\(path): the array has fewer than \(minItems) items" }
            if let maxItems, elements.count > maxItems { return "\(path): the array has more than \(maxItems) items" }
            if let itemSchema = itemSchemas.first {
                for (index, element) in elements.enumerated() {
                    if let problem = itemSchema.violation(of: element, at: "\(path)[\(index)]") { return problem }
                }
            }
        case .object(let members):
            for name in required where members[name] == nil { return "\(path): the required property '\(name)' is missing" }
            for name in members.keys.sorted() {
                guard let member = members[name] else { continue }
                if let propertySchema = properties[name] {
                    if let problem = propertySchema.violation(of: member, at: "\(path).\(name)") { return problem }
                } else if !additionalProperties {
                    return "\(path): the property '\(name)' is not allowed"
                }
            }
        case .null, .bool:
            break
        }
        return nil
    }

    static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}

/// A regular expression compiled when the scorers are read, with the text it came from.
public struct ScorerPattern: Sendable, Hashable {
    public static let lengthLimit = 1000

    public let source: String
    public let ignoreCase: Bool
    let expression: NSRegularExpression

    /// Nil when `source` is not a valid NSRegularExpression pattern.
    init?(_ source: String, ignoreCase: Bool) {
        guard let expression = try? NSRegularExpression(pattern: source, options: ignoreCase ? [.caseInsensitive] : []) else {
            return nil
        }
        self.source = source
        self.ignoreCase = ignoreCase
        self.expression = expression
    }

    /// Whether the pattern matches somewhere in `text`.
    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    public static func == (lhs: ScorerPattern, rhs: ScorerPattern) -> Bool {
        lhs.source == rhs.source && lhs.ignoreCase == rhs.ignoreCase
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(ignoreCase)
    }
}
