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

        public init(
            retry: RetryPolicy = .init(), maxInFlightPerTenant: Int? = nil, queueTimeout: Duration = .seconds(2),
            continuedModels: Set<String> = []
        ) {
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

    /// Refuses at once a model that does not exist, or one asked for what none of its deployments can do
    /// (chat with an embedding model), instead of sending it upstream to fail.
    func require(_ capability: ModelDeployment.Capability, of model: String) throws(PillarError) {
        guard pool.serves(model) else { throw PillarError.modelNotFound(model) }
        let offered = pool.capabilities(of: model)
        guard offered.contains(capability) else {
            let does = offered.sorted().map(\.rawValue).joined(separator: " and ")
            throw .invalidRequest(
                "The model '\(model)' serves \(does) only, not \(capability.rawValue); GET /v1/models lists what each model does.",
                param: "model", code: "unsupported_operation")
        }
    }

    /// A whole completion; `onFinish` is called once with how it went, before this returns or throws.
    public func complete(
        _ request: ChatCompletionRequest, caller: Caller,
        onFinish: @Sendable (Outcome) async -> Void
    ) async throws -> ChatCompletion {
        let started = ContinuousClock.now
        try require(.chat, of: request.model)
        try enterTenant(caller.tenant)
        defer { leaveTenant(caller.tenant) }
        return try await serve(
            model: request.model, estimatedTokens: estimatedTokens(request), caller: caller,
            started: started, onFinish: onFinish,
            startSpan: { startModelSpan(request, provider: $0, caller: caller) }
        ) { lease, span, attempts in
            let reply = try await lease.provider.complete(request)
            var completion = reply.value
            completion.model = request.model
            let usage = completion.usage ?? tokens.usage(request: request, completion: completion.text + completion.toolCallText)
            let outcome = Outcome(
                deployment: lease.name, usage: usage, timeToFirstToken: nil,
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
        try require(.chat, of: request.model)
        try enterTenant(caller.tenant)
        do {
            // The tenant's slot is held until the stream ends, which the relay tells with its onFinish.
            let tenant = caller.tenant
            let finishAndLeave: @Sendable (Outcome) async -> Void = { outcome in
                self.leaveTenant(tenant)
                await onFinish(outcome)
            }
            return try await serve(
                model: request.model, estimatedTokens: estimatedTokens(request), caller: caller,
                started: started, onFinish: onFinish,
                startSpan: { startModelSpan(request, provider: $0, caller: caller) }
            ) { lease, span, attempts in
                let reply = try await lease.provider.stream(request)
                let leg = RelayLeg(
                    upstream: reply.value, lease: lease, span: span, rateLimits: reply.rateLimits,
                    request: request, started: started)
                let chunks = try await relay(
                    leg, caller: caller, started: started, attempts: attempts, permit: permit,
                    onFinish: finishAndLeave)
                return Streamed(deployment: lease.name, chunks: chunks)
            }
        } catch {
            leaveTenant(caller.tenant)
            throw error
        }
    }

    /// Whether every kind of call the deployments offer (chat, embeddings) has at least one deployment that
    /// answers: a server whose embedding model is up while its only chat model still loads is not ready.
    public func everyCapabilityReachable() async -> Bool {
        let providers = self.providers
        let needed = providers.reduce(into: Set<ModelDeployment.Capability>()) { $0.formUnion($1.deployment.capabilities) }
        guard !needed.isEmpty else { return false }
        return await withTaskGroup(of: Set<ModelDeployment.Capability>.self) { group in
            for provider in providers {
                group.addTask { await provider.isReachable() ? provider.deployment.capabilities : [] }
            }
            var reached: Set<ModelDeployment.Capability> = []
            for await capabilities in group {
                reached.formUnion(capabilities)
                if reached.isSuperset(of: needed) {
                    group.cancelAll()
                    return true
                }
            }
            return false
        }
    }

    /// Runs `attempt` until it succeeds, as the `AttemptSchedule` decides: a failed attempt (an `UpstreamError`,
    /// thrown before anything reached the caller) goes to another deployment when one is free, and otherwise
    /// waits a backoff; deployments known to be down are not waited for. The attempt releases its lease when
    /// it succeeds; this releases it when the attempt throws.
    func serve<Result>(
        model: String, estimatedTokens tokens: Int, caller: Caller, started: ContinuousClock.Instant,
        excluding initiallyExcluded: Set<String> = [], onFinish: @Sendable (Outcome) async -> Void,
        startSpan: (any ModelProvider) -> any Span,
        attempt: (DeploymentPool.Lease, any Span, Int) async throws -> Result
    ) async throws -> Result {
        guard pool.serves(model) else { throw PillarError.modelNotFound(model) }
        var generator = SystemRandomNumberGenerator()
        var schedule = AttemptSchedule(
            retry: policy.retry, queueTimeout: policy.queueTimeout, started: started,
            excluding: initiallyExcluded)
        var failure: PillarError?
        attempting: while schedule.mayAttempt, !Task.isCancelled {
            let action: AttemptSchedule.Action
            switch pool.acquire(model: model, excluding: schedule.excluded, estimatedTokens: tokens, at: .now) {
            case .leased(let lease):
                schedule.leased()
                let span = startSpan(lease.provider)
                span.attributes["pillar.attempt"] = schedule.attempts
                do {
                    return try await attempt(lease, span, schedule.attempts)
                } catch let error as UpstreamError {
                    pool.release(lease, outcome: .failure(error), at: .now)
                    recordFailedAttempt(span, error: error, provider: lease.provider, caller: caller)
                    action = schedule.attemptFailed(error, deployment: lease.name, at: .now)
                    logger.warning(
                        "model call failed",
                        metadata: [
                            "deployment": "\(lease.name)", "error": "\(error.shortDescription)",
                            "attempt": "\(schedule.attempts)",
                            "retrying": "\(action == .acquire)",
                        ])
                } catch is AttemptAbandoned {
                    throw CancellationError()
                } catch {
                    pool.release(lease, outcome: .neutral, at: .now)
                    span.end()
                    throw error
                }
            case .full:
                action = schedule.poolFull(at: .now)
            case .unavailable(let retryAt, let breakersOpen):
                action = schedule.poolUnavailable(retryAt: retryAt, breakersOpen: breakersOpen, at: .now, using: &generator)
            }
            switch action {
            case .acquire:
                continue
            case .wait(let duration):
                try? await Task.sleep(for: duration)
            case .fail(let error):
                failure = error
                break attempting
            }
        }
        let now = ContinuousClock.now
        let error = failure ?? schedule.exhausted(nextOpening: pool.nextOpening(model: model, at: now), at: now)
        await onFinish(
            Outcome(
                deployment: schedule.lastError?.deployment, usage: nil, timeToFirstToken: nil,
                duration: now - started, error: error, cancelled: Task.isCancelled,
                usageReported: false, attempts: schedule.attempts))
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
            throw PillarError(
                .rateLimited, code: "tenant_concurrency_limit",
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
