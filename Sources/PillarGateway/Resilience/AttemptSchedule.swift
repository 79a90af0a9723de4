import PillarCore

/// The gateway's retry loop as a value: it is told what the pool answered and how each attempt ended, and
/// says what to do next (acquire a deployment, wait, or give up with the error the caller gets). It never
/// reads a clock or sleeps; callers pass the time, so tests walk it through outages without waiting.
///
/// Its rules: a failed attempt moves to another deployment while one is free; once every deployment was tried,
/// it waits a backoff with jitter (never less than what an upstream asked with Retry-After) and tries them
/// again, within the attempt and time budgets. Deployments whose breakers are open are known to be down: a
/// request does not wait for them but is refused at once with a `Retry-After` that says when one reopens.
struct AttemptSchedule: Sendable {
    enum Action: Sendable, Equatable {
        case acquire
        case wait(Duration)
        case fail(PillarError)
    }

    let retry: RetryPolicy
    let queueTimeout: Duration
    let deadline: ContinuousClock.Instant
    /// Deployments not to ask for now: the ones this request failed on since the last wait.
    private(set) var excluded: Set<String>
    private(set) var attempts = 0
    private(set) var lastError: UpstreamError?
    private var waits = 0
    /// The earliest moment the failed deployments asked to be tried again (Retry-After).
    private var notBefore: ContinuousClock.Instant?
    private var queuedSince: ContinuousClock.Instant?

    init(retry: RetryPolicy, queueTimeout: Duration, started: ContinuousClock.Instant, excluding excluded: Set<String> = []) {
        self.retry = retry
        self.queueTimeout = queueTimeout
        self.deadline = started + retry.totalTimeout
        self.excluded = excluded
    }

    /// Whether another attempt may start; the caller gives up with `exhausted` when not.
    var mayAttempt: Bool { attempts < retry.maxAttempts }

    mutating func leased() {
        attempts += 1
        queuedSince = nil
    }

    /// An attempt failed before anything reached the caller.
    mutating func attemptFailed(_ error: UpstreamError, deployment: String, at now: ContinuousClock.Instant) -> Action {
        lastError = error
        if let wait = error.retryAfter { notBefore = max(notBefore ?? now, now + wait) }
        guard error.isRetryable else { return .fail(error.asPillarError) }
        excluded.insert(deployment)
        // With the attempts spent, the loop ends and asks `exhausted`, which knows when a breaker reopens.
        return .acquire
    }

    /// Every candidate is at its cap on requests in flight: wait in line a little, then refuse rather than hang.
    mutating func poolFull(at now: ContinuousClock.Instant) -> Action {
        let since = queuedSince ?? now
        queuedSince = since
        guard now - since < queueTimeout, now < deadline else {
            return .fail(
                PillarError(
                    .unavailable, code: "deployments_busy",
                    message: "Every deployment of this model is at capacity; try again shortly.",
                    retryAfterSeconds: 1))
        }
        return .wait(.milliseconds(5))
    }

    /// No candidate can take a call now. `retryAt`: the earliest moment one might; `breakersOpen`: every
    /// candidate's breaker is open.
    mutating func poolUnavailable(
        retryAt: ContinuousClock.Instant?, breakersOpen: Bool, at now: ContinuousClock.Instant,
        using generator: inout some RandomNumberGenerator
    ) -> Action {
        if breakersOpen {
            return .fail(knownDown(until: retryAt, at: now))
        }
        waits += 1
        let asked = [retryAt, notBefore].compactMap { $0 }.max().map { $0 - now }
        let wait = max(retry.delay(afterAttempt: max(attempts, waits), retryAfter: asked, using: &generator), .milliseconds(10))
        guard mayAttempt, now + wait < deadline, attempts + waits <= retry.maxAttempts * 2 else {
            if let lastError { return .fail(exhausted(lastError, retryAt: retryAt.map { max($0, now + wait) }, at: now)) }
            return .fail(
                .unavailable(
                    "No deployment of this model can take a request now.",
                    retryAfterSeconds: Self.seconds(asked ?? .seconds(1))))
        }
        // Deployments tried and failed become candidates again after the wait.
        excluded.removeAll()
        return .wait(wait)
    }

    /// The error once the attempts are spent; `nextOpening`: when a deployment's breaker reopens, if none is closed.
    func exhausted(nextOpening: ContinuousClock.Instant?, at now: ContinuousClock.Instant) -> PillarError {
        guard let lastError else { return knownDown(until: nextOpening, at: now) }
        return exhausted(lastError, retryAt: nextOpening, at: now)
    }

    /// One cause, one answer: a deployment that is unavailable (503, or no connection) reaches the caller as a
    /// 503 whether it failed this request or was already known to be down, with a `Retry-After` that covers
    /// both the upstream's own and the moment a breaker reopens.
    private func exhausted(_ error: UpstreamError, retryAt: ContinuousClock.Instant?, at now: ContinuousClock.Instant)
        -> PillarError
    {
        var mapped = error.asPillarError
        if mapped.kind == .unavailable || mapped.kind == .rateLimited {
            let until = [retryAt, notBefore].compactMap { $0 }.max()
            let seconds = until.map { Self.seconds($0 - now) } ?? 1
            mapped.retryAfterSeconds = max(mapped.retryAfterSeconds ?? 1, seconds)
        }
        return mapped
    }

    private func knownDown(until retryAt: ContinuousClock.Instant?, at now: ContinuousClock.Instant) -> PillarError {
        if let lastError { return exhausted(lastError, retryAt: retryAt, at: now) }
        return PillarError(
            .unavailable, code: "deployments_unavailable",
            message: "Every deployment of this model is failing and cut off by its circuit breaker; try again after Retry-After.",
            retryAfterSeconds: Self.seconds((retryAt ?? now + .seconds(1)) - now))
    }

    /// A `Retry-After` in whole seconds, never 0: a caller told to wait 0 s would come straight back.
    static func seconds(_ duration: Duration) -> Int {
        max(1, RetryAfter.wholeSeconds(duration))
    }
}
