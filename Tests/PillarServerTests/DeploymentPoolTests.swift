import AsyncHTTPClient
import Logging
import Testing

@testable import PillarGateway

/// The pool's choices, on real providers that are never called: only their deployment descriptions matter.
@Suite struct DeploymentPoolTests {
    let now = ContinuousClock.now

    func member(_ name: String, priority: Int = 0, weight: Double = 1, maxInFlight: Int? = nil) -> DeploymentPool.Member {
        let deployment = ModelDeployment(
            name: name, api: .openAI, baseURL: "http://127.0.0.1:1/v1", upstreamModel: "m",
            servedModels: ["gpt"], priority: priority)
        return .init(
            provider: OpenAICompatibleProvider(deployment: deployment, httpClient: .shared, logger: Logger(label: "test")),
            weight: weight, maxInFlight: maxInFlight)
    }

    func lease(_ pool: DeploymentPool, excluding: Set<String> = [], at instant: ContinuousClock.Instant? = nil) -> DeploymentPool
        .Lease?
    {
        if case .leased(let lease) = pool.acquire(model: "gpt", excluding: excluding, estimatedTokens: 100, at: instant ?? now) {
            return lease
        }
        return nil
    }

    @Test func provisionedFirstAndSpillOverOnlyWhenItIsFull() {
        let pool = DeploymentPool(members: [member("ptu", priority: 0, maxInFlight: 2), member("paygo", priority: 1)])
        #expect(lease(pool)?.name == "ptu")
        #expect(lease(pool)?.name == "ptu")
        let spilled = lease(pool)
        #expect(spilled?.name == "paygo")
        pool.release(spilled!, outcome: .success(nil), at: now)
        #expect(pool.snapshot().first { $0.name == "ptu" }?.inFlight == 2)
    }

    @Test func weightsShareTrafficByFewestInFlight() {
        let pool = DeploymentPool(members: [member("big", weight: 3), member("small", weight: 1)])
        let names = (0..<8).compactMap { _ in lease(pool)?.name }
        #expect(names.count { $0 == "big" } == 6)
        #expect(names.count { $0 == "small" } == 2)
    }

    @Test func aPredictedThrottleSendsTrafficElsewhereUntilTheReset() {
        let pool = DeploymentPool(members: [member("ptu", priority: 0), member("paygo", priority: 1)])
        let first = lease(pool)!
        pool.release(first, outcome: .success(UpstreamRateLimits(remainingRequests: 0, resetsAt: now + .seconds(5))), at: now)
        #expect(lease(pool)?.name == "paygo")
        #expect(lease(pool, at: now + .seconds(6))?.name == "ptu")
    }

    @Test func breakersOpenOnFailuresAndTheNextChoiceSaysWhenToRetry() {
        let policy = CircuitBreaker.Policy(failureRateThreshold: 0.5, minimumCalls: 2, openDuration: .seconds(9))
        let pool = DeploymentPool(members: [member("only")], breakerPolicy: policy)
        for _ in 0..<2 {
            pool.release(lease(pool)!, outcome: .failure(UpstreamError(.connection, deployment: "only")), at: now)
        }
        guard
            case .unavailable(let retryAt, let breakersOpen) = pool.acquire(
                model: "gpt", excluding: [], estimatedTokens: 1, at: now)
        else {
            Issue.record("expected no deployment to be available")
            return
        }
        #expect(retryAt == now + .seconds(9))
        #expect(breakersOpen, "the model is known to be down")
        #expect(pool.nextOpening(model: "gpt", at: now) == now + .seconds(9))
        #expect(pool.snapshot().first?.breaker == "open")
        #expect(lease(pool, at: now + .seconds(9))?.name == "only", "half-open lets a probe through")
    }

    @Test func refusalsOfOneRequestDoNotCountAgainstHealth() {
        let policy = CircuitBreaker.Policy(minimumCalls: 1)
        let pool = DeploymentPool(members: [member("only")], breakerPolicy: policy)
        pool.release(lease(pool)!, outcome: .failure(UpstreamError(.status, deployment: "only", status: 400)), at: now)
        #expect(pool.snapshot().first?.breaker == "closed")
    }

    @Test func aFullPoolSaysSo() {
        let pool = DeploymentPool(members: [member("one", maxInFlight: 1)])
        _ = lease(pool)
        guard case .full = pool.acquire(model: "gpt", excluding: [], estimatedTokens: 1, at: now) else {
            Issue.record("expected the pool to be full")
            return
        }
    }
}
