import PillarCore
import Yams

/// Parses the top level of a flow document: name, description, inputs, nodes, outputs.
struct FlowDocumentParser {
    let allowedHosts: Set<String>

    static let topLevelKeys: Set<String> = ["name", "description", "inputs", "nodes", "outputs"]
    static let flowNamePattern = #"^[a-z0-9][a-z0-9._-]{0,63}$"#
    static let nodeNamePattern = #"^[a-z_][a-z0-9_]{0,63}$"#
    static let inputNamePattern = #"^[A-Za-z_][A-Za-z0-9_]{0,63}$"#

    /// Aliases let a small text stand for an exponentially large tree (a "billion laughs"); composing shares
    /// the repeated parts, but walking them would not, so a tree past this size is refused before it is read.
    static let maxNodes = 20_000
    /// The reader and the runner walk values recursively; libyaml stops at 1,000 levels, far more than a
    /// flow needs and than those walks should be trusted with.
    static let maxDepth = 64

    /// The tree's node count, counting no further than just past `limit`, and its depth (the root is 1).
    static func measure(_ node: Node, limit: Int) -> (count: Int, depth: Int) {
        var count = 0
        var depth = 0
        var stack = [(node, 1)]
        while let (next, level) = stack.popLast(), count <= limit {
            count += 1
            depth = max(depth, level)
            switch next {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    stack.append((key, level + 1))
                    stack.append((value, level + 1))
                }
            case .sequence(let sequence):
                stack.append(contentsOf: sequence.map { ($0, level + 1) })
            default:
                break
            }
        }
        return (count, depth)
    }

    func parse(_ yaml: String) throws(FlowSpecError) -> FlowSpec {
        let shield = ExpressionShield(yaml)
        let root: Node?
        do {
            root = try Yams.compose(yaml: shield.shielded)
        } catch {
            throw FlowSpecError(issues: [Self.issue(from: error, yaml: yaml)])
        }
        if let root {
            let size = Self.measure(root, limit: Self.maxNodes)
            if size.count > Self.maxNodes {
                throw FlowSpecError(issues: [
                    FlowSpecIssue(
                        line: 1,
                        message:
                            "the flow expands to more than \(Self.maxNodes) YAML nodes; aliases and anchors are not supported")
                ])
            }
            if size.depth > Self.maxDepth {
                throw FlowSpecError(issues: [
                    FlowSpecIssue(
                        line: 1,
                        message:
                            "the flow nests YAML \(size.depth) levels deep; at most \(Self.maxDepth) are allowed")
                ])
            }
        }
        let reader = FlowYAMLReader(shield: shield)
        guard let root, case .mapping = root else {
            throw FlowSpecError(issues: [
                FlowSpecIssue(
                    line: root?.mark?.line ?? 1, column: root?.mark?.column ?? 0,
                    message: "a flow must be a YAML map with name, nodes and outputs")
            ])
        }
        var fields: [String: (key: Node, value: Node)] = [:]
        for entry in reader.entries(root, what: "the flow") ?? [] {
            if Self.topLevelKeys.contains(entry.key) {
                fields[entry.key] = (entry.keyNode, entry.value)
            } else {
                reader.issue(
                    entry.keyNode,
                    "unknown top-level key '\(entry.key)' (expected \(Self.topLevelKeys.sorted().joined(separator: ", ")))")
            }
        }
        for key in ["name", "nodes", "outputs"] where fields[key] == nil {
            reader.issue(line: 1, column: 1, "missing required top-level key '\(key)'")
        }
        var name = ""
        if let node = fields["name"]?.value, let value = reader.string(node, field: "name") {
            if value.range(of: Self.flowNamePattern, options: .regularExpression) == nil {
                reader.issue(node, "flow name '\(value)' must match [a-z0-9][a-z0-9._-]{0,63}")
            }
            name = value
        }
        let description = fields["description"].flatMap { reader.string($0.value, field: "description") }
        let inputs = fields["inputs"].map { parseInputs($0.value, reader: reader) } ?? []

        var parsed: [(node: FlowNode, sites: [FlowReferenceSite])] = []
        var declaredNodes: [String: Int] = [:]
        if let (_, nodesNode) = fields["nodes"], let entries = reader.entries(nodesNode, what: "nodes") {
            if entries.isEmpty { reader.issue(nodesNode, "nodes must not be empty") }
            let nodeParser = FlowNodeParser(reader: reader, allowedHosts: allowedHosts)
            for entry in entries {
                declaredNodes[entry.key] = reader.line(entry.keyNode)
                if entry.key == FlowReference.inputsRoot {
                    reader.issue(entry.keyNode, "'inputs' is reserved and cannot be a node name")
                    continue
                }
                if entry.key.range(of: Self.nodeNamePattern, options: .regularExpression) == nil {
                    reader.issue(entry.keyNode, "node name '\(entry.key)' must match [a-z_][a-z0-9_]{0,63}")
                    continue
                }
                if let result = nodeParser.parse(name: entry.key, keyNode: entry.keyNode, body: entry.value) {
                    parsed.append(result)
                }
            }
        }

        var outputs: [(output: FlowOutput, sites: [FlowReferenceSite])] = []
        if let (_, outputsNode) = fields["outputs"], let entries = reader.entries(outputsNode, what: "outputs") {
            if entries.isEmpty { reader.issue(outputsNode, "outputs must not be empty") }
            _ = reader.takeSites()
            for entry in entries {
                if let value = reader.value(entry.value, field: "output '\(entry.key)'") {
                    outputs.append(
                        (FlowOutput(name: entry.key, value: value, line: reader.line(entry.keyNode)), reader.takeSites()))
                }
                _ = reader.takeSites()
            }
        }

        var graph = FlowGraphCheck(reader: reader, inputs: Set(inputs.map(\.name)), declaredNodes: declaredNodes)
        let nodes = graph.check(parsed, outputs: outputs)
        guard reader.issues.isEmpty else { throw FlowSpecError(issues: reader.issues) }
        return FlowSpec(
            name: name, description: description, inputs: inputs, nodes: nodes,
            outputs: outputs.map(\.output), streamingNode: nodes.first(where: \.streams)?.name,
            levels: graph.levels(nodes))
    }

    private func parseInputs(_ node: Node, reader: FlowYAMLReader) -> [FlowInput] {
        guard let entries = reader.entries(node, what: "inputs") else { return [] }
        var inputs: [FlowInput] = []
        for entry in entries {
            let what = "input '\(entry.key)'"
            if entry.key.range(of: Self.inputNamePattern, options: .regularExpression) == nil {
                reader.issue(entry.keyNode, "input name '\(entry.key)' must match [A-Za-z_][A-Za-z0-9_]{0,63}")
                continue
            }
            guard let fields = reader.entries(entry.value, what: what) else { continue }
            var byKey: [String: Node] = [:]
            for field in fields {
                if ["type", "required", "default", "description"].contains(field.key) {
                    byKey[field.key] = field.value
                } else {
                    reader.issue(field.keyNode, "\(what) has unknown key '\(field.key)'")
                }
            }
            guard let typeNode = byKey["type"] else {
                reader.issue(entry.keyNode, "\(what) is missing required key 'type'")
                continue
            }
            guard let type = reader.choice(typeNode, field: "\(what) type", as: FlowInput.ValueType.self) else { continue }
            let required = byKey["required"].flatMap { reader.bool($0, field: "\(what) required") } ?? false
            if let description = byKey["description"] { _ = reader.string(description, field: "\(what) description") }
            var defaultValue: JSONValue?
            if let defaultNode = byKey["default"], let value = reader.literal(defaultNode, field: "\(what) default") {
                if type.matches(value) {
                    defaultValue = value
                } else {
                    reader.issue(defaultNode, "\(what) default does not match its type \(type.rawValue)")
                }
            }
            inputs.append(
                FlowInput(
                    name: entry.key, type: type, required: required, defaultValue: defaultValue,
                    line: reader.line(entry.keyNode)))
        }
        return inputs
    }

    /// Turns a Yams error into an issue with its line and column.
    static func issue(from error: Error, yaml: String) -> FlowSpecIssue {
        guard let yamlError = error as? YamlError else {
            return FlowSpecIssue(line: 1, message: "invalid YAML: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let contextText = context.map { " (\($0.text))" } ?? ""
            return FlowSpecIssue(line: mark.line, column: mark.column, message: "invalid YAML: \(problem)\(contextText)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return FlowSpecIssue(
                line: context.mark.line, column: context.mark.column,
                message: "invalid YAML: duplicate keys \(duplicates.joined(separator: ", "))")
        case .reader(let problem, let offset, _, _):
            let line = offset.map { yaml.utf8.prefix($0).filter { $0 == UInt8(ascii: "\n") }.count + 1 } ?? 1
            return FlowSpecIssue(line: line, message: "invalid YAML: \(problem)")
        default:
            return FlowSpecIssue(line: 1, message: "invalid YAML: \(yamlError)")
        }
    }
}
