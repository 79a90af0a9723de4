import PillarCore

/// Why a call to one deployment failed. `shortDescription` is bounded and safe for metric labels.
public struct UpstreamError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// The upstream answered with an HTTP error status.
        case status
        /// No connection could be made, or it broke before a response.
        case connection
        case timeout
        /// The upstream sent something that is not a valid OpenAI response or event.
        case malformed
        /// A stream ended without its final event.
        case truncated
    }

    public let reason: Reason
    public let deployment: String
    public var status: Int?
    /// How long the upstream asked us to wait before trying it again.
    public var retryAfter: Duration?
    /// The upstream's own error message, when it sent one.
    public var upstreamMessage: String?

    public init(_ reason: Reason, deployment: String, status: Int? = nil, retryAfter: Duration? = nil,
                upstreamMessage: String? = nil) {
        self.reason = reason
        self.deployment = deployment
        self.status = status
        self.retryAfter = retryAfter
        self.upstreamMessage = upstreamMessage
    }

    public var retryAfterSeconds: Int? { retryAfter.map(RetryAfter.wholeSeconds) }

    public var shortDescription: String {
        if reason == .status, let status { return "status_\(status)" }
        return reason.rawValue
    }

    public var description: String {
        "deployment \(deployment): \(shortDescription)" + (upstreamMessage.map { " (\($0))" } ?? "")
    }

    /// Whether another attempt, on this deployment or another, may succeed.
    public var isRetryable: Bool {
        switch reason {
        case .connection, .timeout: return true
        case .malformed, .truncated: return false
        case .status:
            guard let status else { return false }
            return status == 408 || status == 429 || (status >= 500 && status != 501)
        }
    }

    /// What the caller of Pillar is told once no deployment could serve the request.
    public var asPillarError: PillarError {
        switch reason {
        case .status:
            let status = self.status ?? 502
            if status == 429 {
                return PillarError(.rateLimited, code: "upstream_rate_limited",
                                   message: "The model deployment is rate limited; try again later.",
                                   retryAfterSeconds: max(1, retryAfterSeconds ?? 1))
            }
            if status == 501 {
                return .invalidRequest("This model does not offer this operation (for example, chat on an embedding model).",
                                       param: "model", code: "unsupported_operation")
            }
            if (400..<500).contains(status), status != 401, status != 403, status != 404, status != 408 {
                return .invalidRequest("The model rejected the request: \(upstreamMessage ?? "status \(status)")",
                                       code: "upstream_rejected")
            }
            return .upstream("The model deployment failed with status \(status).")
        case .connection:
            return .unavailable("No model deployment could be reached.", retryAfterSeconds: 1)
        case .timeout:
            return PillarError(.timeout, code: "upstream_timeout", message: "The model deployment did not answer in time.")
        case .malformed:
            return .upstream("The model deployment sent a malformed response.", code: "upstream_malformed")
        case .truncated:
            return .upstream("The model deployment ended its stream before finishing.", code: "upstream_truncated")
        }
    }
}
