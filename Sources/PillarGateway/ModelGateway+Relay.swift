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
    /// nothing has reached the caller and the request can go elsewhere.
    func relay(
        _ upstream: ChatCompletionChunkStream, request: ChatCompletionRequest, lease: DeploymentPool.Lease,
        rateLimits: UpstreamRateLimits?, caller: Caller, span: any Span, started: ContinuousClock.Instant,
        attempts: Int, onFinish: @escaping @Sendable (Outcome) async -> Void
    ) async throws -> ChatCompletionChunkStream {
        let includeUsage = request.streamOptions?.includeUsage ?? false
        let (stream, continuation) = ChatCompletionChunkStream.makeStream()
        let (start, startContinuation) = AsyncStream<StreamStart>.makeStream()
        let task = Task {
            var firstToken: Duration?
            var usage: Usage?
            var text = ""
            var held: [ChatCompletionChunk] = []
            var failure: (any Error)?
            var cancelled = false
            func deliver(_ chunk: ChatCompletionChunk) {
                if firstToken == nil { held.append(chunk) } else { continuation.yield(chunk) }
            }
            do {
                for try await var chunk in upstream {
                    chunk.model = request.model
                    text += chunk.contentDelta
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
                    deliver(chunk)
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
            } catch {
                failure = (error as? UpstreamError)?.asPillarError ?? error
            }
            if firstToken == nil, failure == nil, !cancelled {
                held.forEach { continuation.yield($0) }
                startContinuation.yield(.started)
            }
            startContinuation.finish()
            let reported = usage != nil
            let finalUsage = usage ?? TokenEstimate.usage(request: request, completion: text)
            if includeUsage, !reported, failure == nil, !cancelled {
                continuation.yield(ChatCompletionChunk(id: "chatcmpl-usage", created: Int(Date().timeIntervalSince1970),
                                                       model: request.model, choices: [], usage: finalUsage))
            }
            let outcome = Outcome(deployment: lease.name, usage: finalUsage, timeToFirstToken: firstToken,
                                  duration: ContinuousClock.now - started, error: failure, cancelled: cancelled,
                                  usageReported: reported, attempts: attempts)
            let poolOutcome: DeploymentPool.Outcome
            if cancelled {
                poolOutcome = .neutral
            } else if let failure = failure as? PillarError, failure.kind == .upstreamFailed || failure.kind == .timeout {
                poolOutcome = .failure(UpstreamError(.truncated, deployment: lease.name))
            } else {
                poolOutcome = .success(rateLimits)
            }
            pool.release(lease, outcome: poolOutcome, at: .now)
            finish(span, provider: lease.provider, caller: caller, outcome: outcome)
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

/// The caller went away during an attempt that has already released its lease and ended its span.
struct AttemptAbandoned: Error {}
