import Foundation
import Logging
import PillarCore
import PillarRetrieval
import Tracing

/// Runs a flow as a DAG: a node starts as soon as every node it depends on has finished, so independent
/// branches run in parallel. A node is skipped when its `when` is false, when a route chose another target,
/// or when a node it needs (referenced without a `||` fallback) was skipped. Every node is a span and an
/// entry in the answer's trace.
public struct FlowRunner: Sendable {
    let prompts: VersionedLibrary<CompiledPrompt>
    let models: any FlowModels
    let retriever: Retriever
    let http: FlowHTTPClient
    let defaultModel: String
    let safety: (any FlowSafety)?
    let logger: Logger

    public init(
        prompts: VersionedLibrary<CompiledPrompt>, models: any FlowModels, retriever: Retriever,
        http: FlowHTTPClient, defaultModel: String, safety: (any FlowSafety)? = nil, logger: Logger
    ) {
        self.prompts = prompts
        self.models = models
        self.retriever = retriever
        self.http = http
        self.defaultModel = defaultModel
        self.safety = safety
        self.logger = logger
    }

    /// What a run hands back: the flow's outputs, or the error that stopped it, and its trace either way.
    public struct Outcome: Sendable {
        public var outputs: [String: JSONValue]
        public var error: (any Error)?
        public var nodes: [FlowTrace.NodeRun]
        public var guards: [FlowTrace.GuardResult]
        public var retrieved: [FlowTrace.RetrievedChunk]
        public var durationMs: Double
    }

    /// Hooks for a caller that streams: `onStreamStart` gets the outputs that are known when the streaming
    /// node is about to start (sources, the standalone query), then `onDelta` every piece of its answer.
    public struct Streaming: Sendable {
        public var onStreamStart: @Sendable ([String: JSONValue]) async throws -> Void
        public var onDelta: @Sendable (String) async throws -> Void

        public init(
            onStreamStart: @escaping @Sendable ([String: JSONValue]) async throws -> Void,
            onDelta: @escaping @Sendable (String) async throws -> Void
        ) {
            self.onStreamStart = onStreamStart
            self.onDelta = onDelta
        }
    }

    public func run(
        _ flow: CompiledFlow, use: FlowTrace.ArtifactUse, inputs given: [String: JSONValue],
        context: FlowContext, streaming: Streaming?
    ) async -> Outcome {
        await withSpan("flow \(use.name)", ofKind: .internal) { span in
            span.attributes["pillar.flow.name"] = use.name
            span.attributes["pillar.flow.version"] = use.version
            let started = ContinuousClock.now
            let state = FlowState(started: started)
            var outputs: [String: JSONValue] = [:]
            var failure: (any Error)?
            do {
                let inputs = try Self.bind(given, to: flow.spec)
                try await execute(flow, inputs: inputs, state: state, context: context, streaming: streaming)
                let snapshot = await state.snapshot(inputs: inputs)
                for output in flow.spec.outputs { outputs[output.name] = output.value.evaluate(snapshot.resolve) }
            } catch {
                failure = error
                span.recordError(error)
            }
            let record = await state.record
            return Outcome(
                outputs: outputs, error: failure, nodes: record.nodes, guards: record.guards,
                retrieved: record.retrieved, durationMs: (ContinuousClock.now - started).seconds * 1000)
        }
    }

    /// Checks the caller's inputs against the flow's declarations and fills in defaults.
    static func bind(_ given: [String: JSONValue], to spec: FlowSpec) throws(PillarError) -> [String: JSONValue] {
        var inputs: [String: JSONValue] = [:]
        for input in spec.inputs {
            if let value = given[input.name], value != .null {
                guard input.type.matches(value) else {
                    throw PillarError.invalidRequest(
                        "The flow input '\(input.name)' must be of type \(input.type.rawValue).", param: input.name)
                }
                inputs[input.name] = value
            } else if let fallback = input.defaultValue {
                inputs[input.name] = fallback
            } else if input.required {
                throw PillarError.invalidRequest("The flow '\(spec.name)' needs the input '\(input.name)'.", param: input.name)
            }
        }
        return inputs
    }

    private func execute(
        _ flow: CompiledFlow, inputs: [String: JSONValue], state: FlowState, context: FlowContext,
        streaming: Streaming?
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = flow.spec.nodes
            var running = 0
            while true {
                // Start or skip every node whose dependencies have finished; a skip can unblock more.
                var progressed = true
                while progressed {
                    progressed = false
                    let finished = await state.finishedNames
                    var waiting: [FlowNode] = []
                    for node in pending {
                        guard node.dependencies.isSubset(of: finished) else {
                            waiting.append(node)
                            continue
                        }
                        let snapshot = await state.snapshot(inputs: inputs)
                        if let reason = snapshot.skipReason(for: node) {
                            await state.skip(node, reason: reason)
                            progressed = true
                            continue
                        }
                        running += 1
                        group.addTask {
                            try await self.runNode(
                                node, flow: flow, snapshot: snapshot, state: state, context: context,
                                streaming: node.streams ? streaming : nil, inputs: inputs)
                        }
                    }
                    pending = waiting
                }
                // Validation rules out cycles and unknown nodes, so nothing waits forever once all have run.
                guard running > 0 else { break }
                try await group.next()
                running -= 1
            }
        }
    }

    private func runNode(
        _ node: FlowNode, flow: CompiledFlow, snapshot: FlowSnapshot, state: FlowState,
        context: FlowContext, streaming: Streaming?, inputs: [String: JSONValue]
    ) async throws {
        let startMs = (ContinuousClock.now - snapshot.started).seconds * 1000
        var run = FlowTrace.NodeRun(name: node.name, kind: node.kindName, status: .succeeded, startMs: startMs, durationMs: 0)
        do {
            let result = try await withSpan("flow.node \(node.name)", ofKind: .internal) { span in
                span.attributes["pillar.flow.node.kind"] = node.kindName
                do {
                    return try await perform(
                        node, flow: flow, snapshot: snapshot, state: state, context: context,
                        streaming: streaming, inputs: inputs, run: &run)
                } catch {
                    span.recordError(error)
                    throw error
                }
            }
            run.durationMs = (ContinuousClock.now - snapshot.started).seconds * 1000 - startMs
            await state.finish(node, result: result, run: run)
        } catch {
            run.status = .failed
            run.durationMs = (ContinuousClock.now - snapshot.started).seconds * 1000 - startMs
            if let blocked = error as? GuardBlocked {
                run.errorCode = blocked.pillarError.code
                await state.fail(node, run: run, guardResult: blocked.result)
                throw blocked.pillarError
            }
            run.errorCode = (error as? PillarError)?.code ?? "internal_error"
            await state.fail(node, run: run)
            throw error
        }
    }
}
