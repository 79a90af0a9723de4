import PillarCore

/// A `when:` condition: `<operand> <op> <operand>`, `<operand> contains <operand>`,
/// `<operand> is empty`, `<operand> is not empty`, or a lone `<operand>` (truthiness).
public struct FlowCondition: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case equal = "=="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case contains = "contains"
        case isEmpty = "is empty"
        case isNotEmpty = "is not empty"
        case truthy = "truthy"
    }

    public enum Operand: Sendable, Hashable {
        case literal(JSONValue)
        case reference([FlowReference])

        public func evaluate(_ resolve: (FlowReference) -> JSONValue?) -> JSONValue {
            switch self {
            case .literal(let value): value
            case .reference(let alternatives): alternatives.resolveFirst(resolve)
            }
        }

        public var references: [FlowReference] {
            if case .reference(let alternatives) = self { return alternatives }
            return []
        }
    }

    public var lhs: Operand
    public var op: Operator
    /// Present for the binary operators and `contains`.
    public var rhs: Operand?
    /// The condition as written.
    public var source: String

    public init(lhs: Operand, op: Operator, rhs: Operand? = nil, source: String) {
        self.lhs = lhs
        self.op = op
        self.rhs = rhs
        self.source = source
    }

    public var description: String { source }

    public var references: [FlowReference] {
        lhs.references + (rhs?.references ?? [])
    }

    public func evaluate(_ resolve: (FlowReference) -> JSONValue?) -> Bool {
        let left = lhs.evaluate(resolve)
        let right = rhs?.evaluate(resolve) ?? .null
        switch op {
        case .truthy: return left.isTruthy
        case .isEmpty: return left.isEmpty
        case .isNotEmpty: return !left.isEmpty
        case .equal: return left == right
        case .notEqual: return left != right
        case .less: return Self.compare(left, right).map { $0 < 0 } ?? false
        case .lessOrEqual: return Self.compare(left, right).map { $0 <= 0 } ?? false
        case .greater: return Self.compare(left, right).map { $0 > 0 } ?? false
        case .greaterOrEqual: return Self.compare(left, right).map { $0 >= 0 } ?? false
        case .contains: return Self.contains(left, right)
        }
    }

    /// -1, 0 or 1 for two numbers or two strings; nil for anything else.
    static func compare(_ left: JSONValue, _ right: JSONValue) -> Int? {
        switch (left, right) {
        case (.number(let a), .number(let b)):
            if a.isNaN || b.isNaN { return nil }
            return a < b ? -1 : (a > b ? 1 : 0)
        case (.string(let a), .string(let b)):
            return a < b ? -1 : (a > b ? 1 : 0)
        default:
            return nil
        }
    }

    /// Strings contain substrings, arrays contain elements, objects contain keys.
    static func contains(_ container: JSONValue, _ element: JSONValue) -> Bool {
        switch container {
        case .string(let text):
            if case .string(let needle) = element { return text.contains(needle) }
            if case .null = element { return false }
            return text.contains(element.interpolatedText)
        case .array(let items):
            return items.contains(element)
        case .object(let object):
            if case .string(let key) = element { return object[key] != nil }
            return false
        default:
            return false
        }
    }
}
