import PillarCore
import Testing

@testable import PillarGateway

/// The retry loop's decisions, walked through without a clock or a single sleep.
@Suite struct AttemptScheduleTests {
    let start = ContinuousClock.now
    /// Jitter does not matter to these decisions.
    var rng = SystemRandomNumberGenerator()

    func schedule(maxAttempts: Int = 4, total: Duration = .seconds(30)) -> AttemptSchedule {
        AttemptSchedule(
            retry: RetryPolicy(
                maxAttempts: maxAttempts, baseDelay: .milliseconds(200), maxDelay: .seconds(8),
                totalTimeout: total),
            queueTimeout: .seconds(2), started: start)
    }

    @Test func aFailedAttemptMovesToAnotherDeploymentAtOnce() {
        var plan = schedule()
        plan.leased()
        #expect(plan.attemptFailed(UpstreamError(.connection, deployment: "a"), deployment: "a", at: start) == .acquire)
        #expect(plan.excluded == ["a"])
    }

    @Test func aRequestTheUpstreamCallsWrongIsNeverRetried() {
        var plan = schedule()
        plan.leased()
        let rejected = UpstreamError(
            .status, deployment: "a", status: 500, upstreamMessage: "no chat here",
            upstreamType: "not_supported_error")
        guard case .fail(let error) = plan.attemptFailed(rejected, deployment: "a", at: start) else {
            Issue.record("a rejected request was retried")
            return
        }
        #expect(error.kind == .invalidRequest)
        #expect(error.code == "unsupported_operation")
    }

    @Test func deploymentsKnownToBeDownAreNotWaitedFor() {
        var plan = schedule()
        var rng = rng
        let reopens = start + .seconds(12)
        guard case .fail(let error) = plan.poolUnavailable(retryAt: reopens, breakersOpen: true, at: start, using: &rng) else {
            Issue.record("the request waited for open breakers")
            return
        }
        #expect(error.kind == .unavailable)
        #expect(error.code == "deployments_unavailable")
        #expect(error.retryAfterSeconds == 12)
    }

    /// One cause, one answer: an upstream 503 that exhausted the attempts and the breaker it opened give the
    /// caller the same status, and the Retry-After of the later of the two.
    @Test func anUpstream503AndTheBreakerItOpenedAnswerAlike() {
        var plan = schedule(maxAttempts: 1)
        var rng = rng
        plan.leased()
        let outage = UpstreamError(.status, deployment: "a", status: 503, retryAfter: .seconds(1))
        #expect(plan.attemptFailed(outage, deployment: "a", at: start) == .acquire)
        #expect(!plan.mayAttempt)
        let exhausted = plan.exhausted(nextOpening: start + .seconds(15), at: start)
        #expect(exhausted.kind == .unavailable)
        #expect(exhausted.retryAfterSeconds == 15)
        guard
            case .fail(let cutOff) = plan.poolUnavailable(
                retryAt: start + .seconds(15), breakersOpen: true, at: start, using: &rng)
        else {
            Issue.record("open breakers were waited for")
            return
        }
        #expect(cutOff.kind == exhausted.kind)
        #expect(cutOff.retryAfterSeconds == 15)
    }

    @Test func onceEveryDeploymentFailedItWaitsABackoffNoShorterThanRetryAfter() {
        var plan = schedule()
        var rng = rng
        plan.leased()
        _ = plan.attemptFailed(
            UpstreamError(.status, deployment: "a", status: 429, retryAfter: .seconds(2)), deployment: "a", at: start)
        guard case .wait(let wait) = plan.poolUnavailable(retryAt: nil, breakersOpen: false, at: start, using: &rng) else {
            Issue.record("no wait")
            return
        }
        #expect(wait >= .seconds(2))
        #expect(plan.excluded.isEmpty, "after the wait the failed deployments are candidates again")
    }

    @Test func aWaitPastTheBudgetGivesUpWithTheLastError() {
        var plan = schedule(total: .seconds(1))
        var rng = rng
        plan.leased()
        _ = plan.attemptFailed(
            UpstreamError(.status, deployment: "a", status: 503, retryAfter: .seconds(5)), deployment: "a", at: start)
        guard case .fail(let error) = plan.poolUnavailable(retryAt: nil, breakersOpen: false, at: start, using: &rng) else {
            Issue.record("it waited past the budget")
            return
        }
        #expect(error.kind == .unavailable)
        #expect(error.retryAfterSeconds == 5)
    }

    @Test func aFullPoolIsWaitedForUntilTheQueueTimeout() {
        var plan = schedule()
        #expect(plan.poolFull(at: start) == .wait(.milliseconds(5)))
        guard case .fail(let error) = plan.poolFull(at: start + .seconds(3)) else {
            Issue.record("it waited past the queue timeout")
            return
        }
        #expect(error.code == "deployments_busy")
    }
}
