import Testing

@testable import PillarGateway

@Suite struct CircuitBreakerTests {
    let start = ContinuousClock.now
    let policy = CircuitBreaker.Policy(
        failureRateThreshold: 0.5, minimumCalls: 4, window: .seconds(10),
        openDuration: .seconds(5), halfOpenProbes: 1)

    @Test func opensAtTheFailureRateOnceTheWindowHoldsEnoughCalls() {
        var breaker = CircuitBreaker(policy: policy)
        breaker.recordFailure(at: start)
        breaker.recordFailure(at: start)
        breaker.recordFailure(at: start)
        #expect(breaker.state == .closed, "three calls are below the minimum of four")
        breaker.recordSuccess(at: start)
        #expect(breaker.state == .closed, "3 of 4 failed, but the fourth call was a success recorded after the check")
        breaker.recordFailure(at: start + .seconds(1))
        #expect(breaker.state == .open(until: start + .seconds(6)))
        #expect(!breaker.permits(at: start + .seconds(2)))
    }

    @Test func oldOutcomesLeaveTheWindow() {
        var breaker = CircuitBreaker(policy: policy)
        for _ in 0..<3 { breaker.recordFailure(at: start) }
        for second in 11...14 { breaker.recordSuccess(at: start + .seconds(second)) }
        breaker.recordFailure(at: start + .seconds(15))
        #expect(breaker.state == .closed, "1 failure in 5 calls inside the window")
    }

    @Test func aLoneThrottleDoesNotOpenTheBreaker() {
        var breaker = CircuitBreaker(policy: policy)
        for _ in 0..<3 { breaker.recordSuccess(at: start) }
        breaker.recordFailure(at: start, retryAfter: .seconds(20))
        #expect(breaker.state == .closed)
    }

    @Test func aBreakerTrippedByThrottlesStaysOpenForTheirRetryAfter() {
        var breaker = CircuitBreaker(policy: policy)
        for _ in 0..<4 { breaker.recordFailure(at: start, retryAfter: .seconds(20)) }
        #expect(breaker.state == .open(until: start + .seconds(20)))
    }

    func opened(for duration: Duration) -> CircuitBreaker {
        var breaker = CircuitBreaker(policy: policy)
        for _ in 0..<4 { breaker.recordFailure(at: start, retryAfter: duration) }
        return breaker
    }

    @Test func halfOpenLetsOneProbeThroughAndClosesOnSuccess() {
        var breaker = opened(for: .seconds(3))
        do {
            let granted = breaker.acquire(at: start + .seconds(2))
            #expect(!granted)
        }
        do {
            let granted = breaker.acquire(at: start + .seconds(3))
            #expect(granted)
        }
        #expect(breaker.state == .halfOpen(probesInFlight: 1))
        do {
            let granted = breaker.acquire(at: start + .seconds(3))
            #expect(!granted, "one probe at a time")
        }
        breaker.recordSuccess(at: start + .seconds(4))
        #expect(breaker.state == .closed)
    }

    @Test func aFailedProbeOpensAgain() {
        var breaker = opened(for: .seconds(1))
        do {
            let granted = breaker.acquire(at: start + .seconds(1))
            #expect(granted)
        }
        breaker.recordFailure(at: start + .seconds(2))
        #expect(breaker.state == .open(until: start + .seconds(7)))
    }

    @Test func aProbeWhoseCallerLeftFreesItsSlot() {
        var breaker = opened(for: .zero)
        do {
            let granted = breaker.acquire(at: start)
            #expect(granted)
        }
        breaker.recordNeutral()
        do {
            let granted = breaker.acquire(at: start)
            #expect(granted)
        }
    }
}

@Suite struct RetryPolicyTests {
    @Test(arguments: [(1, 100), (2, 200), (3, 400), (4, 800), (9, 1000)] as [(Int, Int64)])
    func backoffGrowsExponentiallyUpToTheCapWithFullJitter(attempt: Int, boundMilliseconds: Int64) {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        var generator = SystemRandomNumberGenerator()
        let delays = (0..<500).map { _ in policy.delay(afterAttempt: attempt, retryAfter: nil, using: &generator) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .milliseconds(boundMilliseconds) })
        // Full jitter spreads the waits over the whole range rather than bunching them at the bound.
        #expect(delays.contains { $0 < .milliseconds(boundMilliseconds / 2) })
        #expect(delays.contains { $0 > .milliseconds(boundMilliseconds / 2) })
    }

    @Test func neverWaitsLessThanRetryAfter() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        var generator = SystemRandomNumberGenerator()
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3), using: &generator) == .seconds(3))
    }
}

@Suite struct UpstreamRateLimitsTests {
    @Test(
        arguments: [("1s", 1000), ("250ms", 250), ("6m0s", 360_000), ("1h2m3.5s", 3_723_500), ("2", 2000)] as [(String, Int64)])
    func readsResetDurations(text: String, milliseconds: Int64) {
        #expect(UpstreamRateLimits.duration(text) == .milliseconds(milliseconds))
    }

    @Test func predictsThrottlingUntilTheReset() {
        let now = ContinuousClock.now
        let limits = UpstreamRateLimits(remainingRequests: 5, remainingTokens: 1000, resetsAt: now + .seconds(10))
        #expect(!limits.wouldThrottle(tokens: 900, at: now))
        #expect(limits.wouldThrottle(tokens: 1200, at: now))
        #expect(!limits.wouldThrottle(tokens: 1200, at: now + .seconds(11)))
        #expect(UpstreamRateLimits(remainingRequests: 0, resetsAt: now + .seconds(1)).wouldThrottle(tokens: 1, at: now))
    }
}
