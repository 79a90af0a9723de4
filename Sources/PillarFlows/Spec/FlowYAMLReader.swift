import Foundation
import PillarCore
import Yams

/// Where a `${...}` was written, for reference checks.
struct FlowReferenceSite: Sendable {
    var alternatives: [FlowReference]
    var line: Int
    var column: Int
}

/// Reads typed fields out of Yams nodes, collecting issues instead of stopping at the first.
final class FlowYAMLReader {
    private(set) var issues: [FlowSpecIssue] = []
    /// References seen since the last `takeSites()`.
    private var sites: [FlowReferenceSite] = []
    let shield: ExpressionShield

    init(shield: ExpressionShield) {
        self.shield = shield
    }

    // MARK: Issues and positions

    func line(_ node: Node?) -> Int { node?.mark?.line ?? 1 }
    func column(_ node: Node?) -> Int { node?.mark?.column ?? 0 }

    func issue(_ node: Node?, _ message: String) {
        issues.append(FlowSpecIssue(line: line(node), column: column(node), message: message))
    }

    func issue(line: Int, column: Int = 0, _ message: String) {
        issues.append(FlowSpecIssue(line: line, column: column, message: message))
    }

    func takeSites() -> [FlowReferenceSite] {
        defer { sites = [] }
        return sites
    }

    // MARK: Structure

    /// A scalar's text with expressions restored; nil for maps and sequences.
    func text(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node else { return nil }
        return shield.restore(scalar.string)
    }

    /// A mapping's entries in file order, with string keys; reports non-scalar keys.
    func entries(_ node: Node, what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            issue(node, "\(what) must be a map")
            return nil
        }
        var result: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = text(keyNode) else {
                issue(keyNode, "keys of \(what) must be strings")
                continue
            }
            result.append((key, keyNode, value))
        }
        return result
    }

    func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain, node.tag.rawValue == Tag.Name.null.rawValue {
            return true
        }
        return false
    }

    // MARK: Typed scalars

    func string(_ node: Node, field: String) -> String? {
        guard case .scalar = node, !isNull(node), let value = text(node) else {
            issue(node, "\(field) must be a string")
            return nil
        }
        return value
    }

    func int(_ node: Node, field: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, node.tag.rawValue == Tag.Name.int.rawValue,
            let value = node.int
        else {
            issue(node, "\(field) must be an integer")
            return nil
        }
        if let range, !range.contains(value) {
            issue(node, "\(field) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    func number(_ node: Node, field: String) -> Double? {
        guard case .scalar(let scalar) = node, scalar.style == .plain,
            [Tag.Name.int.rawValue, Tag.Name.float.rawValue].contains(node.tag.rawValue),
            let value = node.float, value.isFinite
        else {
            issue(node, "\(field) must be a number")
            return nil
        }
        return value
    }

    func bool(_ node: Node, field: String) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, node.tag.rawValue == Tag.Name.bool.rawValue,
            let value = node.bool
        else {
            issue(node, "\(field) must be true or false")
            return nil
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, field: String, as type: T.Type) -> T?
    where T.RawValue == String {
        let options = T.allCases.map(\.rawValue)
        guard case .scalar = node, let raw = text(node), let value = T(rawValue: raw) else {
            issue(node, "\(field) must be one of \(options.joined(separator: ", "))")
            return nil
        }
        return value
    }

    // MARK: Values

    /// A plain JSON value with no expressions allowed (input defaults).
    func literal(_ node: Node, field: String) -> JSONValue? {
        switch node {
        case .scalar(let scalar):
            let raw = shield.restore(scalar.string)
            if raw.contains("${") {
                issue(node, "\(field) cannot contain ${...} expressions")
                return nil
            }
            return scalarLiteral(node, scalar: scalar, text: raw)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence {
                guard let value = literal(item, field: field) else { return nil }
                items.append(value)
            }
            return .array(items)
        case .mapping:
            guard let entries = entries(node, what: field) else { return nil }
            var object: [String: JSONValue] = [:]
            for entry in entries {
                guard let value = literal(entry.value, field: field) else { return nil }
                object[entry.key] = value
            }
            return .object(object)
        case .alias:
            issue(node, "YAML aliases are not supported in flows")
            return nil
        }
    }

    /// A value that may contain `${...}` references; records the references it finds.
    func value(_ node: Node, field: String) -> FlowValue? {
        switch node {
        case .scalar(let scalar):
            let raw = shield.restore(scalar.string)
            switch FlowValue.parseExpression(raw) {
            case .failure(let error):
                issue(node, "\(field): \(error.message)")
                return nil
            case .success(let parsed?):
                for group in parsed.referenceGroups {
                    sites.append(FlowReferenceSite(alternatives: group, line: line(node), column: column(node)))
                }
                return parsed
            case .success(nil):
                return .literal(scalarLiteral(node, scalar: scalar, text: raw))
            }
        case .sequence(let sequence):
            var items: [FlowValue] = []
            var failed = false
            for item in sequence {
                if let value = value(item, field: field) { items.append(value) } else { failed = true }
            }
            return failed ? nil : .array(items)
        case .mapping:
            return fields(node, field: field).map { .object($0) }
        case .alias:
            issue(node, "YAML aliases are not supported in flows")
            return nil
        }
    }

    /// A map of values (variables, headers), in file order.
    func fields(_ node: Node, field: String) -> [FlowField]? {
        guard let entries = entries(node, what: field) else { return nil }
        var result: [FlowField] = []
        var failed = false
        for entry in entries {
            if let value = value(entry.value, field: "\(field).\(entry.key)") {
                result.append(FlowField(name: entry.key, value: value))
            } else {
                failed = true
            }
        }
        return failed ? nil : result
    }

    /// A `when:` condition; records the references it finds.
    func condition(_ node: Node, field: String) -> FlowCondition? {
        guard case .scalar = node, let raw = text(node) else {
            issue(node, "\(field) must be a condition string")
            return nil
        }
        switch FlowCondition.parse(raw) {
        case .failure(let error):
            issue(node, "\(field): \(error.message)")
            return nil
        case .success(let condition):
            let references = condition.lhs.references
            if !references.isEmpty {
                sites.append(FlowReferenceSite(alternatives: references, line: line(node), column: column(node)))
            }
            if let rhs = condition.rhs?.references, !rhs.isEmpty {
                sites.append(FlowReferenceSite(alternatives: rhs, line: line(node), column: column(node)))
            }
            return condition
        }
    }

    private func scalarLiteral(_ node: Node, scalar: Node.Scalar, text: String) -> JSONValue {
        guard scalar.style == .plain else { return .string(text) }
        switch node.tag.rawValue {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: return node.bool.map { .bool($0) } ?? .string(text)
        case Tag.Name.int.rawValue, Tag.Name.float.rawValue:
            if let number = node.float, number.isFinite { return .number(number) }
            return .string(text)
        default: return .string(text)
        }
    }
}
