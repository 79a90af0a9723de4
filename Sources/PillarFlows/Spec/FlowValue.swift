import PillarCore

/// A value in a flow: a JSON literal, a `${...}` reference (with `||` alternatives), a string with
/// interpolated references, or a map / sequence of values.
public indirect enum FlowValue: Sendable, Hashable {
    case literal(JSONValue)
    case reference([FlowReference])
    case interpolation([Part])
    case array([FlowValue])
    case object([FlowField])

    /// A piece of an interpolated string.
    public enum Part: Sendable, Hashable {
        case text(String)
        case reference([FlowReference])
    }

    /// Evaluates against resolved references. A reference resolving to nil or null tries the next
    /// alternative; when all are null the result is null (rendered as "" inside interpolation).
    public func evaluate(_ resolve: (FlowReference) -> JSONValue?) -> JSONValue {
        switch self {
        case .literal(let value):
            return value
        case .reference(let alternatives):
            return alternatives.resolveFirst(resolve)
        case .interpolation(let parts):
            var text = ""
            for part in parts {
                switch part {
                case .text(let piece): text += piece
                case .reference(let alternatives): text += alternatives.resolveFirst(resolve).interpolatedText
                }
            }
            return .string(text)
        case .array(let values):
            return .array(values.map { $0.evaluate(resolve) })
        case .object(let fields):
            return .object(fields.evaluate(resolve))
        }
    }

    /// Every reference inside this value, in order of appearance (alternatives included).
    public var references: [FlowReference] {
        referenceGroups.flatMap { $0 }
    }

    /// Each `${...}` as its list of alternatives.
    public var referenceGroups: [[FlowReference]] {
        switch self {
        case .literal: return []
        case .reference(let alternatives): return [alternatives]
        case .interpolation(let parts):
            return parts.compactMap { part in
                if case .reference(let alternatives) = part { return alternatives }
                return nil
            }
        case .array(let values): return values.flatMap(\.referenceGroups)
        case .object(let fields): return fields.flatMap(\.value.referenceGroups)
        }
    }

    /// True when the value contains no reference at all.
    public var isConstant: Bool { referenceGroups.isEmpty }
}

/// One entry of an ordered map of values (variables, headers, object literals).
public struct FlowField: Sendable, Hashable {
    public var name: String
    public var value: FlowValue

    public init(name: String, value: FlowValue) {
        self.name = name
        self.value = value
    }
}

extension [FlowField] {
    /// Evaluates every field into a JSON object (a later duplicate key wins).
    public func evaluate(_ resolve: (FlowReference) -> JSONValue?) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for field in self { result[field.name] = field.value.evaluate(resolve) }
        return result
    }

    /// Looks a field up by name.
    public subscript(name name: String) -> FlowValue? {
        first { $0.name == name }?.value
    }
}

extension FlowValue {
    /// Parses a YAML string scalar's text: `${...}` alone is a reference, text around references
    /// is interpolation, and text without `${` is nil (the caller makes it a literal).
    static func parseExpression(_ text: String) -> Result<FlowValue?, FlowExpressionError> {
        guard text.contains("${") else { return .success(nil) }
        var parts: [Part] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex {
                parts.append(.text(String(rest[rest.startIndex..<start.lowerBound])))
            }
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                return .failure(.init("unterminated '${' in '\(text)'"))
            }
            switch FlowReference.parseAlternatives(String(rest[start.upperBound..<end])) {
            case .success(let alternatives): parts.append(.reference(alternatives))
            case .failure(let error): return .failure(error)
            }
            rest = rest[rest.index(after: end)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        if parts.count == 1, case .reference(let alternatives) = parts[0] {
            return .success(.reference(alternatives))
        }
        return .success(.interpolation(parts))
    }
}
