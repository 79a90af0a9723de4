/// When and how long to wait before retrying a failed webhook attempt.
public struct WebhookRetryPolicy: Sendable, Hashable {
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(60)) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Delay before the attempt following attempt number `attempt` (1-based):
    /// `baseDelay * 2^(attempt-1)`, capped at `maxDelay`.
    ///
    /// No jitter: one dispatcher per server retries a handful of receivers, so there is no herd
    /// to spread out, and deterministic delays keep behaviour predictable and testable.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = baseDelay
        // Double step by step and stop at the cap, so large attempt numbers cannot overflow.
        for _ in 1..<max(1, attempt) where delay < maxDelay {
            delay = delay * 2
        }
        return min(delay, maxDelay)
    }

    /// Whether a response status is worth retrying.
    ///
    /// 408 (timeout), 429 (rate limited) and 5xx are transient; any other non-2xx status
    /// (other 4xx, unfollowed 3xx) means the request itself is unwelcome and repeating it
    /// would only produce the same answer. 2xx is success and never retried.
    public static func shouldRetry(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }

    public static func isSuccess(status: Int) -> Bool {
        (200...299).contains(status)
    }
}
