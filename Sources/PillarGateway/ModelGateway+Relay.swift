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
        let includeUsage = request.streamOptions?.includeUsage ?? false
        let (stream, continuation) = ChatCompletionChunkStream.makeStream()
        let (start, startContinuation) = AsyncStream<StreamStart>.makeStream()
        let task = Task {
            var leg = first
            var attempts = firstAttempts
            var firstToken: Duration?
            var usage: Usage?
            /// The whole answer the caller was sent, and the part of it the current leg produced.
            var text = ""
            var legText = ""
            /// Whether every delta so far was plain text (a tool call cannot be sent back as a prefill).
            var onlyText = true
            var answerID: String?
            var interrupted: [InterruptedAttempt] = []
            var held: [ChatCompletionChunk] = []
            var failure: (any Error)?
            var cancelled = false
            /// Whether the current leg's lease and span were already given back (a continuation that failed).
            var legClosed = false
            legs: while true {
                do {
                    for try await var chunk in leg.upstream {
                        chunk.model = request.model
                        // A continuation's chunks carry its own id; the caller sees one answer.
                        if let answerID { chunk.id = answerID } else { answerID = chunk.id }
                        if chunk.choices.contains(where: Self.callsATool) { onlyText = false }
                        text += chunk.contentDelta
                        legText += chunk.contentDelta
                        if let reported = chunk.usage {
                            usage = reported
                            if !includeUsage {
                                chunk.usage = nil
                                if chunk.choices.isEmpty { continue }
                            }
                        }
                        if firstToken == nil, !chunk.contentDelta.isEmpty {
                            firstToken = ContinuousClock.now - started
                            held.forEach { continuation.yield($0) }
                            held.removeAll()
                            continuation.yield(chunk)
                            startContinuation.yield(.started)
                            continue
                        }
                        if firstToken == nil { held.append(chunk) } else { continuation.yield(chunk) }
                    }
                    if Task.isCancelled { cancelled = true }
                } catch let error as UpstreamError where firstToken == nil {
                    // Nothing reached the caller: hand the failure back so the request can go elsewhere.
                    startContinuation.yield(.failed(error))
                    startContinuation.finish()
                    continuation.finish()
                    return
                } catch is CancellationError {
                    cancelled = true
                } catch let error as UpstreamError where onlyText && !Task.isCancelled && interrupted.count < policy.retry.maxAttempts
                            && continues(request, after: error) {
                    // The failed leg is given back first, so that its breaker has heard of it when the next
                    // deployment is picked.
                    let failed = leg
                    let partial = InterruptedAttempt(
                        deployment: failed.lease.name,
                        usage: legText.isEmpty ? Usage(promptTokens: 0, completionTokens: 0)
                            : tokens.usage(request: failed.request, completion: legText),
                        error: error, duration: ContinuousClock.now - failed.started, endedAt: Date())
                    pool.release(failed.lease, outcome: .failure(error), at: .now)
                    finish(failed.span, provider: failed.lease.provider, caller: caller,
                           outcome: Outcome(deployment: failed.lease.name, usage: partial.usage, timeToFirstToken: nil,
                                            duration: partial.duration, error: error.asPillarError,
                                            cancelled: false, usageReported: false, attempts: attempts))
                    legClosed = true
                    if let next = await continueElsewhere(request, answered: text, after: failed, caller: caller,
                                                          permit: permit, attempts: &attempts) {
                        interrupted.append(partial)
                        continuation.yield(Self.continuationMarker(id: answerID ?? "", model: request.model,
                                                                   interrupted: partial, continuedOn: next.lease.name))
                        leg = next
                        legText = ""
                        usage = nil
                        legClosed = false
                        continue legs
                    }
                    // No continuation: the caller went away meanwhile, or no deployment or budget could take it.
                    if Task.isCancelled { cancelled = true } else { failure = error.asPillarError }
                } catch {
                    failure = (error as? UpstreamError)?.asPillarError ?? error
                }
                break
            }
            if firstToken == nil, failure == nil, !cancelled {
                held.forEach { continuation.yield($0) }
                startContinuation.yield(.started)
            }
            startContinuation.finish()
            let reported = usage != nil
            let finalUsage = usage ?? tokens.usage(request: leg.request, completion: legText)
            if includeUsage, !reported, failure == nil, !cancelled {
                continuation.yield(ChatCompletionChunk(id: answerID ?? "chatcmpl-usage", created: Int(Date().timeIntervalSince1970),
                                                       model: request.model, choices: [], usage: finalUsage))
            }
            var outcome = Outcome(deployment: leg.lease.name, usage: finalUsage, timeToFirstToken: firstToken,
                                  duration: ContinuousClock.now - started, error: failure, cancelled: cancelled,
                                  usageReported: reported, attempts: attempts)
            outcome.interrupted = interrupted
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
