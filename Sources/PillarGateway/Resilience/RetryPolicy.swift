/// How often and how long to try again: exponential backoff with full jitter (a random wait between zero
/// and the exponential bound), a cap on attempts, and a cap on the whole time spent.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var totalTimeout: Duration

    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(8),
        totalTimeout: Duration = .seconds(30)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.totalTimeout = totalTimeout
    }

    /// The wait before attempt `attempt + 1` (attempts count from 1), at least what the upstream asked for.
    public func delay(
        afterAttempt attempt: Int, retryAfter: Duration?,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let bound = min(baseDelay * (1 << exponent), maxDelay)
        let nanoseconds = bound.nanoseconds
        let jittered = Duration.nanoseconds(nanoseconds > 0 ? Int64.random(in: 0...nanoseconds, using: &generator) : 0)
        return max(jittered, retryAfter ?? .zero)
    }
}
