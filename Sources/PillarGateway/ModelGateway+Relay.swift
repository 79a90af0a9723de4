import Foundation
import PillarCore
import Tracing

extension ModelGateway {
    /// How the upstream stream began: with a first token (or a clean, empty end), or with a failure.
    enum StreamStart: Sendable {
        case started
        case failed(UpstreamError)
    }

    /// Passes chunks on as they arrive, renamed to the model the caller asked for, while measuring the time to
    /// first token and collecting usage; the usage-only chunk reaches callers who asked for it. Returns once
    /// the upstream has sent its first token; throws the upstream's error if it fails before that, so that
    /// nothing has reached the caller and the request can go elsewhere. A failure after that ends the stream
    /// with the error, or, where the pool continues streams, goes on at another deployment.
    func relay(
        _ first: RelayLeg, caller: Caller, started: ContinuousClock.Instant, attempts firstAttempts: Int,
        permit: ContinuationPermit?, onFinish: @escaping @Sendable (Outcome) async -> Void
    ) async throws -> ChatCompletionChunkStream {
        let request = first.request
        let (stream, continuation) = ChatCompletionChunkStream.makeStream()
        let (start, startContinuation) = AsyncStream<StreamStart>.makeStream()
        let task = Task {
            var state = RelayState(
                model: request.model, includeUsage: request.streamOptions?.includeUsage ?? false,
                started: started, maxContinuations: policy.retry.maxAttempts)
            var leg = first
            var attempts = firstAttempts
            var failure: (any Error)?
            var cancelled = false
            /// Whether the current leg's lease and span were already given back (a continuation that failed).
            var legClosed = false
            func deliver(_ delivery: RelayState.Delivery) {
                switch delivery {
                case .nothing:
                    break
                case .send(let chunks):
                    chunks.forEach { continuation.yield($0) }
                case .start(let chunks):
                    chunks.forEach { continuation.yield($0) }
                    startContinuation.yield(.started)
                }
            }
            legs: while true {
                do {
                    for try await chunk in leg.upstream { deliver(state.received(chunk, at: .now)) }
                    if Task.isCancelled { cancelled = true }
                } catch is CancellationError {
                    cancelled = true
                } catch let error as UpstreamError {
                    switch state.afterFailure(continues: continues(request, after: error), cancelled: Task.isCancelled) {
                    case .handBack:
                        // Nothing reached the caller: hand the failure back so the request can go elsewhere.
                        startContinuation.yield(.failed(error))
                        startContinuation.finish()
                        continuation.finish()
                        return
                    case .end:
                        failure = error.asPillarError
                    case .continueElsewhere:
                        // The failed leg is given back first, so that its breaker has heard of it when the next
                        // deployment is picked.
                        let failed = leg
                        let partial = state.interruption(
                            at: failed.lease.name, request: failed.request, error: error,
                            legStarted: failed.started, now: .now, endedAt: Date(), tokens: tokens)
                        pool.release(failed.lease, outcome: .failure(error), at: .now)
                        finish(
                            failed.span, provider: failed.lease.provider, caller: caller,
                            outcome: Outcome(
                                deployment: failed.lease.name, usage: partial.usage, timeToFirstToken: nil,
                                duration: partial.duration, error: error.asPillarError,
                                cancelled: false, usageReported: false, attempts: attempts))
                        legClosed = true
                        if let next = await continueElsewhere(
                            request, answered: state.answered, after: failed, caller: caller,
                            permit: permit, attempts: &attempts)
                        {
                            continuation.yield(state.continued(after: partial, on: next.lease.name))
                            leg = next
                            legClosed = false
                            continue legs
                        }
                        // No continuation: the caller went away meanwhile, or no deployment or budget could take it.
                        if Task.isCancelled { cancelled = true } else { failure = error.asPillarError }
                    }
                } catch {
                    failure = error
                }
                break
            }
            let reported = state.usage != nil
            let finalUsage = state.usage ?? tokens.usage(request: leg.request, completion: state.legOutput)
            if failure == nil, !cancelled {
                deliver(state.endedCleanly(counted: finalUsage, createdAt: Int(Date().timeIntervalSince1970)))
            }
            startContinuation.finish()
            var outcome = Outcome(
                deployment: leg.lease.name, usage: finalUsage, timeToFirstToken: state.firstToken,
                duration: ContinuousClock.now - started, error: failure, cancelled: cancelled,
                usageReported: reported, attempts: attempts)
            outcome.interrupted = state.interrupted
            let poolOutcome: DeploymentPool.Outcome
            if cancelled {
                poolOutcome = .neutral
            } else if let failure = failure as? PillarError, failure.kind == .upstreamFailed || failure.kind == .timeout {
                poolOutcome = .failure(UpstreamError(.truncated, deployment: leg.lease.name))
            } else {
                poolOutcome = .success(leg.rateLimits)
            }
            if !legClosed {
                pool.release(leg.lease, outcome: poolOutcome, at: .now)
                finish(leg.span, provider: leg.lease.provider, caller: caller, outcome: outcome)
            }
            await onFinish(outcome)
            if let failure { continuation.finish(throwing: failure) } else { continuation.finish() }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        var startState: StreamStart?
        for await state in start {
            startState = state
            break
        }
        switch startState {
        case .started:
            return stream
        case .failed(let error):
            throw error
        case nil:
            // The caller went away while waiting for the first token; the task releases what it holds.
            task.cancel()
            await task.value
            throw AttemptAbandoned()
        }
    }
}

extension ModelGateway {
    /// Whether a streamed choice carries a tool or function call (null placeholders, which some servers send
    /// with every delta, do not count).
    static func callsATool(_ choice: ChatCompletionChunk.Choice) -> Bool {
        ["tool_calls", "function_call"].contains { key in choice.delta.extra[key].map { $0 != .null } ?? false }
    }
}

/// The caller went away during an attempt that has already released its lease and ended its span.
struct AttemptAbandoned: Error {}
