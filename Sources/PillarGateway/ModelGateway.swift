import Foundation
import Logging
import Metrics
import PillarCore
import Tracing

/// Every model call goes through here: it picks the deployments that serve the requested model, tries them
/// in priority order while the failure happened before anything reached the caller, and meters each call.
public final class ModelGateway: Sendable {
    /// Who asked, for metering and for span attributes.
    public struct Caller: Sendable, Hashable {
        public var tenant: String
        public var subject: String
        public init(tenant: String, subject: String) {
            self.tenant = tenant
            self.subject = subject
        }
    }

    /// How one call ended, handed to the caller once it is over.
    public struct Outcome: Sendable {
        public var deployment: String?
        public var usage: Usage?
        public var timeToFirstToken: Duration?
        public var duration: Duration
        public var error: (any Error)?
        public var cancelled: Bool
        /// Whether the usage was counted by the upstream (true) or estimated by Pillar (false).
        public var usageReported: Bool
    }

    public struct Streamed: Sendable {
        public var deployment: String
        public var chunks: ChatCompletionChunkStream
    }

    private let routes: [String: [any ModelProvider]]
    public let providers: [any ModelProvider]
    private let logger: Logger

    public init(providers: [any ModelProvider], logger: Logger) {
        self.providers = providers
        var routes: [String: [any ModelProvider]] = [:]
        for provider in providers {
            for model in provider.deployment.servedModels { routes[model, default: []].append(provider) }
        }
        self.routes = routes.mapValues { $0.sorted { $0.deployment.priority < $1.deployment.priority } }
        self.logger = logger
    }

    /// The model names callers may ask for, sorted.
    public var models: [String] { routes.keys.sorted() }

    public func serves(_ model: String) -> Bool { routes[model] != nil }

    /// A whole completion; `onFinish` is called once with how it went, before this returns or throws.
    public func complete(
        _ request: ChatCompletionRequest, caller: Caller,
        onFinish: @Sendable (Outcome) async -> Void
    ) async throws -> ChatCompletion {
        let started = ContinuousClock.now
        return try await firstServing(request, caller: caller, started: started, onFinish: onFinish) { provider, span in
            var completion = try await provider.complete(request)
            completion.model = request.model
            let usage = completion.usage ?? TokenEstimate.usage(request: request, completion: completion.text)
            let outcome = Outcome(deployment: provider.deployment.name, usage: usage, timeToFirstToken: nil,
                                  duration: ContinuousClock.now - started, error: nil, cancelled: false,
                                  usageReported: completion.usage != nil)
            completion.usage = usage
            finish(span, request: request, provider: provider, caller: caller, outcome: outcome)
            await onFinish(outcome)
            return completion
        }
    }

    /// A streamed completion. Deployments are tried in turn until one starts answering; after that a
    /// failure surfaces as an error thrown by `chunks`. `onFinish` is called once when the stream ends,
    /// fails, or the caller stops reading it.
    public func stream(
        _ request: ChatCompletionRequest, caller: Caller,
        onFinish: @escaping @Sendable (Outcome) async -> Void
    ) async throws -> Streamed {
        let started = ContinuousClock.now
        return try await firstServing(request, caller: caller, started: started, onFinish: onFinish) { provider, span in
            let upstream = try await provider.stream(request)
            return Streamed(
                deployment: provider.deployment.name,
                chunks: relay(upstream, request: request, provider: provider, caller: caller, span: span,
                              started: started, onFinish: onFinish))
        }
    }

    /// Runs `attempt` on the model's deployments in priority order until one succeeds. An `UpstreamError`
    /// (thrown before anything reached the caller) moves on to the next deployment when it is retryable;
    /// when none serves, `onFinish` hears of the last failure, which is thrown as a `PillarError`.
    private func firstServing<Result>(
        _ request: ChatCompletionRequest, caller: Caller, started: ContinuousClock.Instant,
        onFinish: @Sendable (Outcome) async -> Void,
        attempt: (any ModelProvider, any Span) async throws -> Result
    ) async throws -> Result {
        var lastError: UpstreamError?
        for provider in try providers(for: request.model) {
            let span = startModelSpan(request, provider: provider, caller: caller)
            do {
                return try await attempt(provider, span)
            } catch let error as UpstreamError {
                lastError = error
                recordFailedAttempt(span, error: error, provider: provider, caller: caller)
                if !error.isRetryable { break }
                logger.warning("model call failed, trying next deployment", metadata: [
                    "deployment": "\(provider.deployment.name)", "error": "\(error.shortDescription)",
                ])
            }
        }
        let error = (lastError ?? UpstreamError(.connection, deployment: "none")).asPillarError
        await onFinish(Outcome(deployment: lastError?.deployment, usage: nil, timeToFirstToken: nil,
                               duration: ContinuousClock.now - started, error: error, cancelled: false,
                               usageReported: false))
        throw error
    }

    /// Whether at least one deployment answers.
    public func anyDeploymentReachable() async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            for provider in providers { group.addTask { await provider.isReachable() } }
            for await reachable in group where reachable {
                group.cancelAll()
                return true
            }
            return false
        }
    }

    private func providers(for model: String) throws(PillarError) -> [any ModelProvider] {
        guard let candidates = routes[model], !candidates.isEmpty else { throw .modelNotFound(model) }
        return candidates
    }

    /// Passes chunks on as they arrive, renamed to the model the caller asked for, while measuring the
    /// time to first token and collecting usage; the usage-only chunk reaches callers who asked for it.
    private func relay(
        _ upstream: ChatCompletionChunkStream, request: ChatCompletionRequest, provider: any ModelProvider,
        caller: Caller, span: any Span, started: ContinuousClock.Instant,
        onFinish: @escaping @Sendable (Outcome) async -> Void
    ) -> ChatCompletionChunkStream {
        let includeUsage = request.streamOptions?.includeUsage ?? false
        let (stream, continuation) = ChatCompletionChunkStream.makeStream()
        let task = Task {
            var firstToken: Duration?
            var usage: Usage?
            var text = ""
            var failure: (any Error)?
            var cancelled = false
            do {
                for try await var chunk in upstream {
                    try Task.checkCancellation()
                    chunk.model = request.model
                    if firstToken == nil, !chunk.contentDelta.isEmpty { firstToken = ContinuousClock.now - started }
                    text += chunk.contentDelta
                    if let reported = chunk.usage {
                        usage = reported
                        if !includeUsage {
                            chunk.usage = nil
                            if chunk.choices.isEmpty { continue }
                        }
                    }
                    continuation.yield(chunk)
                }
                if Task.isCancelled { cancelled = true }
            } catch is CancellationError {
                cancelled = true
            } catch {
                failure = (error as? UpstreamError)?.asPillarError ?? error
            }
            let reported = usage != nil
            let finalUsage = usage ?? TokenEstimate.usage(request: request, completion: text)
            if includeUsage, !reported, failure == nil, !cancelled {
                continuation.yield(ChatCompletionChunk(id: "chatcmpl-usage", created: Int(Date().timeIntervalSince1970),
                                                       model: request.model, choices: [], usage: finalUsage))
            }
            let outcome = Outcome(deployment: provider.deployment.name, usage: finalUsage, timeToFirstToken: firstToken,
                                  duration: ContinuousClock.now - started, error: failure, cancelled: cancelled,
                                  usageReported: reported)
            finish(span, request: request, provider: provider, caller: caller, outcome: outcome)
            await onFinish(outcome)
            if let failure { continuation.finish(throwing: failure) } else { continuation.finish() }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        return stream
    }
}
