import PillarCore

/// What a run knows so far: each finished node's result (an object such as `{"output": …}`), which nodes were
/// skipped, which target each route chose, and the trace entries.
actor FlowState {
    let started: ContinuousClock.Instant
    private var results: [String: JSONValue] = [:]
    private var skipped: Set<String> = []
    private var routeChoices: [String: String] = [:]
    private(set) var record = Record()

    struct Record {
        var nodes: [FlowTrace.NodeRun] = []
        var guards: [FlowTrace.GuardResult] = []
        var retrieved: [FlowTrace.RetrievedChunk] = []
    }

    init(started: ContinuousClock.Instant) { self.started = started }

    var finishedNames: Set<String> { skipped.union(results.keys) }

    func snapshot(inputs: [String: JSONValue]) -> FlowSnapshot {
        FlowSnapshot(started: started, inputs: inputs, results: results, skipped: skipped, routeChoices: routeChoices)
    }

    func skip(_ node: FlowNode, reason: String) {
        skipped.insert(node.name)
        record.nodes.append(
            .init(
                name: node.name, kind: node.kindName, status: .skipped,
                startMs: (ContinuousClock.now - started).seconds * 1000, durationMs: 0, note: reason))
    }

    func finish(_ node: FlowNode, result: StepResult, run: FlowTrace.NodeRun) {
        results[node.name] = .object(result.fields)
        if let target = result.routeChoice { routeChoices[node.name] = target }
        if let guardResult = result.guardResult { record.guards.append(guardResult) }
        record.retrieved += result.retrieved
        record.nodes.append(run)
    }

    func fail(_ node: FlowNode, run: FlowTrace.NodeRun, guardResult: FlowTrace.GuardResult? = nil) {
        if let guardResult { record.guards.append(guardResult) }
        record.nodes.append(run)
    }
}

/// A step's result: the fields other nodes may reference, and what the trace keeps of it.
struct StepResult: Sendable {
    var fields: [String: JSONValue]
    var routeChoice: String?
    var guardResult: FlowTrace.GuardResult?
    var retrieved: [FlowTrace.RetrievedChunk] = []
}

/// A frozen view of a run, for evaluating references and conditions.
struct FlowSnapshot: Sendable {
    let started: ContinuousClock.Instant
    let inputs: [String: JSONValue]
    let results: [String: JSONValue]
    let skipped: Set<String>
    let routeChoices: [String: String]

    func resolve(_ reference: FlowReference) -> JSONValue? {
        if reference.isInput {
            guard let first = reference.path.first, let value = inputs[first] else { return nil }
            return value[path: Array(reference.path.dropFirst())]
        }
        return results[reference.root]?[path: reference.path]
    }

    /// Why the node must not run, or nil when it should.
    func skipReason(for node: FlowNode) -> String? {
        if let missing = node.requiredDependencies.sorted().first(where: skipped.contains) {
            return "needs '\(missing)', which was skipped"
        }
        for route in node.routedFrom.sorted() {
            if skipped.contains(route) { return "route '\(route)' was skipped" }
            if let chosen = routeChoices[route], chosen != node.name { return "route '\(route)' chose '\(chosen)'" }
        }
        if let condition = node.when, !condition.evaluate(resolve) {
            return "when '\(condition.source)' is false"
        }
        return nil
    }
}
