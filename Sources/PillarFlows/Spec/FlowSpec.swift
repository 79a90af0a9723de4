import PillarCore

/// A parsed and validated flow: a DAG of nodes with declared inputs and outputs.
public struct FlowSpec: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var inputs: [FlowInput]
    /// In file order.
    public var nodes: [FlowNode]
    /// In file order.
    public var outputs: [FlowOutput]
    /// The one llm node with `stream: true`, if any.
    public var streamingNode: String?
    /// Topological levels: every node's dependencies are in earlier levels; file order inside a level.
    public var levels: [[String]]

    public func node(named name: String) -> FlowNode? {
        nodes.first { $0.name == name }
    }

    public func input(named name: String) -> FlowInput? {
        inputs.first { $0.name == name }
    }

    /// Every reference a node makes, in order (what a runner must resolve for it).
    public func references(of node: FlowNode) -> [FlowReference] {
        node.references
    }

    /// Nodes the named node waits for (its dependencies), in file order.
    public func dependencies(of name: String) -> [String] {
        guard let node = node(named: name) else { return [] }
        return nodes.map(\.name).filter { node.dependencies.contains($0) }
    }

    /// Parses and validates a flow document; throws every issue found, sorted by line.
    public static func parse(yaml: String, allowedHosts: Set<String>) throws(FlowSpecError) -> FlowSpec {
        try FlowDocumentParser(allowedHosts: allowedHosts).parse(yaml)
    }
}
