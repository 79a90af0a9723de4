import Foundation
import Logging
import Metrics
import PillarCore
import Synchronization
import Tracing

/// Every model call goes through here. It picks a deployment from the model's pool, tries another one,
/// or the same one after a backoff, when a call fails before anything reached the caller, caps the requests
/// a tenant may have in flight, and meters each call.
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

    public struct Policy: Sendable, Hashable {
        public var retry: RetryPolicy
        /// Requests one tenant may have in flight at once; nil: no cap.
        public var maxInFlightPerTenant: Int?
        /// How long a request may wait for a deployment at its cap on requests in flight.
        public var queueTimeout: Duration
        /// Models whose pools continue a stream that failed in mid-answer at another deployment.
        public var continuedModels: Set<String>

        public init(retry: RetryPolicy = .init(), maxInFlightPerTenant: Int? = nil, queueTimeout: Duration = .seconds(2),
                    continuedModels: Set<String> = []) {
            self.retry = retry
            self.maxInFlightPerTenant = maxInFlightPerTenant
            self.queueTimeout = queueTimeout
            self.continuedModels = continuedModels
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
        /// Attempts made, the answering one included.
        public var attempts: Int
        /// Attempts that streamed part of the answer and were continued elsewhere; `usage` does not count them.
        public var interrupted: [InterruptedAttempt] = []
    }

    public struct Streamed: Sendable {
        public var deployment: String
        public var chunks: ChatCompletionChunkStream
    }

    public let pool: DeploymentPool
    /// Counts tokens for reservations and for upstreams that report no usage.
    public let tokens: TokenCounter
    let policy: Policy
    let logger: Logger
    private let tenantsInFlight = Mutex<[String: Int]>([:])

    public init(pool: DeploymentPool, policy: Policy = .init(), tokens: TokenCounter = .estimating, logger: Logger) {
        self.pool = pool
        self.tokens = tokens
        self.policy = policy
        self.logger = logger
    }

    /// A gateway over providers with default weights and no caps (for tests and simple set-ups).
    public convenience init(providers: [any ModelProvider], logger: Logger) {
        self.init(pool: DeploymentPool(members: providers.map { DeploymentPool.Member(provider: $0) }), logger: logger)
    }

    public var models: [String] { pool.models }
    public var providers: [any ModelProvider] { pool.providers }
    public func serves(_ model: String) -> Bool { pool.serves(model) }

    /// A whole completion; `onFinish` is called once with how it went, before this returns or throws.
    public func complete(
        _ request: ChatCompletionRequest, caller: Caller,
        onFinish: @Sendable (Outcome) async -> Void
    ) async throws -> ChatCompletion {
        let started = ContinuousClock.now
        try enterTenant(caller.tenant)
        defer { leaveTenant(caller.tenant) }
        return try await serve(model: request.model, estimatedTokens: estimatedTokens(request), caller: caller,
                               started: started, onFinish: onFinish,
                               startSpan: { startModelSpan(request, provider: $0, caller: caller) }) { lease, span, attempts in
            let reply = try await lease.provider.complete(request)
            var completion = reply.value
            completion.model = request.model
            let usage = completion.usage ?? tokens.usage(request: request, completion: completion.text)
            let outcome = Outcome(deployment: lease.name, usage: usage, timeToFirstToken: nil,
                                  duration: ContinuousClock.now - started, error: nil, cancelled: false,
                                  usageReported: completion.usage != nil, attempts: attempts)
            completion.usage = usage
            pool.release(lease, outcome: .success(reply.rateLimits), at: .now)
            finish(span, provider: lease.provider, caller: caller, outcome: outcome)
            await onFinish(outcome)
            return completion
        }
    }

    /// A streamed completion. A deployment is committed to only once its first token arrived (or it ended
    /// cleanly); a failure or timeout before that moves on like any other failed attempt. After that, a
    /// failure surfaces as an error thrown by `chunks`, unless the model's pool continues streams and `permit`
    /// allows it. `onFinish` is called once when the stream ends, fails, or the caller stops reading it.
    public func stream(
        _ request: ChatCompletionRequest, caller: Caller, permit: ContinuationPermit? = nil,
        onFinish: @escaping @Sendable (Outcome) async -> Void
    ) async throws -> Streamed {
        let started = ContinuousClock.now
        try enterTenant(caller.tenant)
        do {
            // The tenant's slot is held until the stream ends, which the relay tells with its onFinish.
            let tenant = caller.tenant
            let finishAndLeave: @Sendable (Outcome) async -> Void = { outcome in
                self.leaveTenant(tenant)
                await onFinish(outcome)
            }
            return try await serve(model: request.model, estimatedTokens: estimatedTokens(request), caller: caller,
                                   started: started, onFinish: onFinish,
                                   startSpan: { startModelSpan(request, provider: $0, caller: caller) }) { lease, span, attempts in
                let reply = try await lease.provider.stream(request)
                let leg = RelayLeg(upstream: reply.value, lease: lease, span: span, rateLimits: reply.rateLimits,
                                   request: request, started: started)
                let chunks = try await relay(leg, caller: caller, started: started, attempts: attempts, permit: permit,
                                             onFinish: finishAndLeave)
                return Streamed(deployment: lease.name, chunks: chunks)
            }
        } catch {
            leaveTenant(caller.tenant)
            throw error
        }
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

    /// Runs `attempt` until it succeeds, within the retry policy. A failed attempt (an `UpstreamError`, thrown
    /// before anything reached the caller) goes to another deployment when one is free, and otherwise waits
    /// for a backoff with jitter, never less than what the upstream asked for with Retry-After. The attempt
    /// releases its lease when it succeeds; this releases it when the attempt throws.
    func serve<Result>(
        model: String, estimatedTokens tokens: Int, caller: Caller, started: ContinuousClock.Instant,
        excluding initiallyExcluded: Set<String> = [], onFinish: @Sendable (Outcome) async -> Void,
        startSpan: (any ModelProvider) -> any Span,
        attempt: (DeploymentPool.Lease, any Span, Int) async throws -> Result
    ) async throws -> Result {
        guard pool.serves(model) else { throw PillarError.modelNotFound(model) }
        let retry = policy.retry
        let deadline = started + retry.totalTimeout
        var generator = SystemRandomNumberGenerator()
        var excluded = initiallyExcluded
        var attempts = 0
        var waits = 0
        var lastError: UpstreamError?
        /// The earliest moment the failed deployments asked to be tried again (Retry-After).
        var notBefore: ContinuousClock.Instant?
        var refusal: PillarError?
        var queuedSince: ContinuousClock.Instant?

        attempting: while attempts < retry.maxAttempts, !Task.isCancelled {
            let now = ContinuousClock.now
            switch pool.acquire(model: model, excluding: excluded, estimatedTokens: tokens, at: now) {
            case .leased(let lease):
                attempts += 1
                queuedSince = nil
                let span = startSpan(lease.provider)
                span.attributes["pillar.attempt"] = attempts
                do {
                    return try await attempt(lease, span, attempts)
                } catch let error as UpstreamError {
                    pool.release(lease, outcome: .failure(error), at: .now)
                    recordFailedAttempt(span, error: error, provider: lease.provider, caller: caller)
                    lastError = error
                    if let wait = error.retryAfter { notBefore = max(notBefore ?? .now, .now + wait) }
                    guard error.isRetryable else { break attempting }
                    excluded.insert(lease.name)
                    logger.warning("model call failed, trying again", metadata: [
                        "deployment": "\(lease.name)", "error": "\(error.shortDescription)", "attempt": "\(attempts)",
                    ])
                } catch is AttemptAbandoned {
                    throw CancellationError()
                } catch {
                    pool.release(lease, outcome: .neutral, at: .now)
                    span.end()
                    throw error
                }
            case .full:
                // Every deployment is at its cap: wait in line a little, then refuse rather than hang.
                let since = queuedSince ?? now
                queuedSince = since
                guard now - since < policy.queueTimeout, now < deadline else {
                    refusal = PillarError(.unavailable, code: "deployments_busy",
                                          message: "Every deployment of this model is at capacity; try again shortly.",
                                          retryAfterSeconds: 1)
                    break attempting
                }
                try? await Task.sleep(for: .milliseconds(5))
                continue
            case .unavailable(let retryAt):
                // Nothing free now. Deployments tried and failed become candidates again after the wait.
                waits += 1
                let asked = [retryAt, notBefore].compactMap { $0 }.max().map { $0 - now }
                let wait = max(retry.delay(afterAttempt: max(attempts, waits), retryAfter: asked, using: &generator),
                               .milliseconds(10))
                guard now + wait < deadline, attempts + waits <= retry.maxAttempts * 2 else {
                    if lastError == nil {
                        let seconds = asked.map { Int(($0 / .seconds(1)).rounded(.up)) } ?? 1
                        refusal = .unavailable("No deployment of this model can take a request now.",
                                               retryAfterSeconds: max(1, seconds))
                    }
                    break attempting
                }
                excluded.removeAll()
                try? await Task.sleep(for: wait)
            }
        }
        let error = refusal ?? (lastError ?? UpstreamError(.connection, deployment: "none")).asPillarError
        await onFinish(Outcome(deployment: lastError?.deployment, usage: nil, timeToFirstToken: nil,
                               duration: ContinuousClock.now - started, error: error, cancelled: Task.isCancelled,
                               usageReported: false, attempts: attempts))
        throw error
    }

    /// What a chat request may spend, for predicting a deployment's rate limits.
    func estimatedTokens(_ request: ChatCompletionRequest) -> Int {
        tokens.promptTokens(request) + (request.completionTokenLimit ?? 256)
    }

    func enterTenant(_ tenant: String) throws(PillarError) {
        guard let cap = policy.maxInFlightPerTenant else { return }
        let admitted = tenantsInFlight.withLock { counts in
            guard counts[tenant, default: 0] < cap else { return false }
            counts[tenant, default: 0] += 1
            return true
        }
        guard admitted else {
            throw PillarError(.rateLimited, code: "tenant_concurrency_limit",
                              message: "This tenant already has \(cap) requests in flight; try again shortly.",
                              retryAfterSeconds: 1)
        }
    }

    func leaveTenant(_ tenant: String) {
        guard policy.maxInFlightPerTenant != nil else { return }
        tenantsInFlight.withLock { counts in
            counts[tenant, default: 1] -= 1
            if counts[tenant] == 0 { counts[tenant] = nil }
        }
    }
}
