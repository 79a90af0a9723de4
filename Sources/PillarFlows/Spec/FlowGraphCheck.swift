/// Checks references, route targets, streaming and cycles; fills in dependencies; computes levels.
struct FlowGraphCheck {
    let reader: FlowYAMLReader
    let inputs: Set<String>
    /// Every name under `nodes:` with its line, including nodes that failed to parse.
    let declaredNodes: [String: Int]

    mutating func check(
        _ parsed: [(node: FlowNode, sites: [FlowReferenceSite])],
        outputs: [(output: FlowOutput, sites: [FlowReferenceSite])]
    ) -> [FlowNode] {
        var nodes = parsed.map(\.node)
        for index in nodes.indices {
            let (dependencies, required) = checkSites(
                parsed[index].sites, owner: "node '\(nodes[index].name)'",
                selfName: nodes[index].name)
            nodes[index].dependencies = dependencies
            nodes[index].requiredDependencies = required
        }
        for (output, sites) in outputs {
            _ = checkSites(sites, owner: "output '\(output.name)'", selfName: nil)
        }
        checkRoutes(&nodes)
        checkStreaming(nodes)
        checkCycles(nodes)
        return nodes
    }

    /// Validates each reference; returns the node dependencies and the required ones.
    private func checkSites(_ sites: [FlowReferenceSite], owner: String, selfName: String?) -> (Set<String>, Set<String>) {
        var dependencies = Set<String>()
        var required = Set<String>()
        for site in sites {
            for reference in site.alternatives {
                if reference.isInput {
                    guard let input = reference.path.first else {
                        reader.issue(line: site.line, column: site.column, "\(owner) references 'inputs' without naming an input")
                        continue
                    }
                    if !inputs.contains(input) {
                        reader.issue(line: site.line, column: site.column, "\(owner) references undeclared input '\(input)'")
                    }
                } else if reference.root == selfName {
                    reader.issue(line: site.line, column: site.column, "\(owner) references itself ('\(reference)')")
                } else if declaredNodes[reference.root] == nil {
                    reader.issue(line: site.line, column: site.column, "\(owner) references unknown node '\(reference.root)'")
                } else {
                    dependencies.insert(reference.root)
                    if site.alternatives.count == 1 { required.insert(reference.root) }
                }
            }
        }
        return (dependencies, required)
    }

    private func checkRoutes(_ nodes: inout [FlowNode]) {
        var indexByName: [String: Int] = [:]
        for (index, node) in nodes.enumerated() { indexByName[node.name] = index }
        for node in nodes {
            guard case .route(let step) = node.kind else { continue }
            let pairs = step.routes.map { ($0.target, $0.line) } + [(step.defaultTarget, node.line)]
            for (target, line) in pairs {
                if target == node.name {
                    reader.issue(line: line, "route '\(node.name)' cannot route to itself")
                } else if declaredNodes[target] == nil {
                    reader.issue(line: line, "route '\(node.name)' routes to unknown node '\(target)'")
                } else if let index = indexByName[target] {
                    nodes[index].dependencies.insert(node.name)
                    nodes[index].routedFrom.insert(node.name)
                }
            }
        }
    }

    private func checkStreaming(_ nodes: [FlowNode]) {
        let streaming = nodes.filter(\.streams)
        for extra in streaming.dropFirst() {
            reader.issue(
                line: extra.line,
                "node '\(extra.name)' streams, but node '\(streaming[0].name)' already does: at most one node may stream")
        }
    }

    /// Reports each cycle found by a depth-first search, at the line of its first node.
    private func checkCycles(_ nodes: [FlowNode]) {
        let byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let order = nodes.map(\.name)
        var state: [String: Int] = [:]  // 1 = on the stack, 2 = done
        var stack: [String] = []
        func visit(_ name: String) {
            state[name] = 1
            stack.append(name)
            let dependencies = order.filter { byName[name]?.dependencies.contains($0) == true }
            for dependency in dependencies {
                switch state[dependency] {
                case 1:
                    // The dependency chain runs backwards; print the cycle in the direction data flows.
                    let start = stack.lastIndex(of: dependency) ?? 0
                    let cycle = Array(stack[start...].reversed()) + [stack[stack.count - 1]]
                    let first = cycle.min { (byName[$0]?.line ?? 0) < (byName[$1]?.line ?? 0) } ?? dependency
                    let rotated = rotate(Array(cycle.dropLast()), toStartAt: first)
                    reader.issue(
                        line: byName[first]?.line ?? 1,
                        "node '\(first)' is part of a cycle: \((rotated + [first]).joined(separator: " -> "))")
                case 2:
                    continue
                default:
                    visit(dependency)
                }
            }
            stack.removeLast()
            state[name] = 2
        }
        for name in order where state[name] == nil { visit(name) }
    }

    private func rotate(_ cycle: [String], toStartAt name: String) -> [String] {
        guard let index = cycle.firstIndex(of: name) else { return cycle }
        return Array(cycle[index...] + cycle[..<index])
    }

    /// Kahn's algorithm by levels, file order inside a level (only called on acyclic graphs).
    func levels(_ nodes: [FlowNode]) -> [[String]] {
        var placed = Set<String>()
        var remaining = nodes
        var levels: [[String]] = []
        while !remaining.isEmpty {
            let ready = remaining.filter { $0.dependencies.isSubset(of: placed) }.map(\.name)
            guard !ready.isEmpty else { break }
            levels.append(ready)
            placed.formUnion(ready)
            remaining.removeAll { placed.contains($0.name) }
        }
        return levels
    }
}
