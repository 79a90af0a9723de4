/// Performs one HTTP POST. Kept as a protocol so the dispatcher carries no HTTP client dependency
/// and tests can script responses; the server supplies the real implementation.
public protocol WebhookTransport: Sendable {
    /// Posts `body` with `headers` (in order) and returns the HTTP status code.
    ///
    /// Implementations must honour `timeout`: the dispatcher relies on it to bound how long one
    /// unresponsive receiver can hold up the queue. Throw for connection-level failures (DNS,
    /// refused, TLS, timeout); the dispatcher treats a throw as a retryable failure.
    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int
}
