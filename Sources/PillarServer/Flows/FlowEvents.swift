import Foundation
import PillarCore
import PillarFlows
import Synchronization

/// A flow answer as a stream of events, for the streaming routes: the run goes on in a task of its own, and
/// the route waits until the run has said something, so that a failure before that (an unknown flow, a guard
/// that blocks, a budget refusal) is answered with a proper HTTP status instead of an event.
enum FlowEvent: Sendable {
    /// What is known when the answer starts: the flow's early outputs (sources, the standalone query).
    case started([String: JSONValue])
    case delta(String)
    case finished(FlowService.Answer)
}

struct FlowEventStream: Sendable {
    let events: AsyncThrowingStream<FlowEvent, any Error>
    let task: Task<Void, Never>

    /// Starts the run and returns once its first event is queued; throws the run's error if it failed first.
    static func start(
        _ service: FlowService, question: FlowService.Question,
        flow: VersionedLibrary<CompiledFlow>.Resolved
    ) async throws -> FlowEventStream {
        let (events, continuation) = AsyncThrowingStream<FlowEvent, any Error>.makeStream(bufferingPolicy: .unbounded)
        let (start, startContinuation) = AsyncStream<(any Error)?>.makeStream(bufferingPolicy: .unbounded)
        let announced = Mutex(false)
        /// True the first time only.
        @Sendable func firstToSpeak() -> Bool {
            announced.withLock { was in
                defer { was = true }
                return !was
            }
        }
        let task = Task {
            let streaming = FlowRunner.Streaming(
                onStreamStart: { early in
                    continuation.yield(.started(early))
                    if firstToSpeak() { startContinuation.yield(nil) }
                },
                onDelta: { delta in
                    try Task.checkCancellation()
                    continuation.yield(.delta(delta))
                })
            do {
                let answer = try await service.answer(question, flow: flow, streaming: streaming)
                continuation.yield(.finished(answer))
                if firstToSpeak() { startContinuation.yield(nil) }
                continuation.finish()
            } catch {
                if firstToSpeak() {
                    startContinuation.yield(error)
                    continuation.finish()
                } else {
                    continuation.finish(throwing: error)
                }
            }
            startContinuation.finish()
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        for await failure in start {
            if let failure { throw failure }
            return FlowEventStream(events: events, task: task)
        }
        // The caller went away before the run said anything.
        task.cancel()
        throw CancellationError()
    }
}
