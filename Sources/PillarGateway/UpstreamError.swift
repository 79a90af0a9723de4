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
        /// A stream ended without its final event, or without a finish reason.
        case truncated
        /// The upstream reported an error inside a stream it had begun with a success status.
        case streamError
    }

    public let reason: Reason
    public let deployment: String
    public var status: Int?
    /// How long the upstream asked us to wait before trying it again.
    public var retryAfter: Duration?
    /// The upstream's own error message, when it sent one.
    public var upstreamMessage: String?
    /// The upstream's error `type` (OpenAI's `invalid_request_error`, llama.cpp's `not_supported_error`…).
    public var upstreamType: String?

    public init(
        _ reason: Reason, deployment: String, status: Int? = nil, retryAfter: Duration? = nil,
        upstreamMessage: String? = nil, upstreamType: String? = nil
    ) {
        self.reason = reason
        self.deployment = deployment
        self.status = status
        self.retryAfter = retryAfter
        self.upstreamMessage = upstreamMessage
        self.upstreamType = upstreamType
    }

    public var retryAfterSeconds: Int? { retryAfter.map(RetryAfter.wholeSeconds) }

    public var shortDescription: String {
        if reason == .status, let status { return "status_\(status)" }
        if reason == .streamError, let status { return "stream_error_\(status)" }
        return reason.rawValue
    }

    public var description: String {
        "deployment \(deployment): \(shortDescription)" + (upstreamMessage.map { " (\($0))" } ?? "")
    }

    /// Whether the upstream said the request itself is wrong, so that sending it again, anywhere, gives the same
    /// answer: a 4xx other than 408 and 429, a 501 (an operation the model does not offer), or an error whose
    /// type says so whatever its status (llama.cpp answers a chat request to an embedding model with a 500 of
    /// type `not_supported_error`).
    public var rejectsRequest: Bool {
        guard reason == .status || reason == .streamError else { return false }
        if let upstreamType, Self.requestErrorTypes.contains(upstreamType) { return true }
        guard let status else { return false }
        return status == 501 || ((400..<500).contains(status) && status != 408 && status != 429)
    }

    static let requestErrorTypes: Set<String> = ["invalid_request_error", "not_supported_error"]

    /// Whether another attempt, on this deployment or another, may succeed. A stream that broke, ended early
    /// or sent garbage before anything reached the caller says nothing against another deployment.
    public var isRetryable: Bool {
        switch reason {
        case .connection, .timeout, .truncated, .malformed: return true
        case .streamError: return !rejectsRequest
        case .status:
            guard let status, !rejectsRequest else { return false }
            return status == 408 || status == 429 || status >= 500
        }
    }

    /// What the caller of Pillar is told once no deployment could serve the request.
    public var asPillarError: PillarError {
        if rejectsRequest {
            if status == 501 || upstreamType == "not_supported_error" {
                return .invalidRequest(
                    "This model does not offer this operation (for example, chat on an embedding model).",
                    param: "model", code: "unsupported_operation")
            }
            if status != 401, status != 403, status != 404 {
                return .invalidRequest(
                    "The model rejected the request: \(upstreamMessage ?? "status \(status ?? 400)")",
                    code: "upstream_rejected")
            }
        }
        switch reason {
        case .status:
            let status = self.status ?? 502
            if status == 429 {
                return PillarError(
                    .rateLimited, code: "upstream_rate_limited",
                    message: "The model deployment is rate limited; try again later.",
                    retryAfterSeconds: max(1, retryAfterSeconds ?? 1))
            }
            if status == 503 {
                return .unavailable("The model deployment is unavailable.", retryAfterSeconds: max(1, retryAfterSeconds ?? 1))
            }
            return .upstream("The model deployment failed with status \(status).")
        case .connection:
            return .unavailable("No model deployment could be reached.", retryAfterSeconds: max(1, retryAfterSeconds ?? 1))
        case .timeout:
            return PillarError(.timeout, code: "upstream_timeout", message: "The model deployment did not answer in time.")
        case .malformed:
            return .upstream("The model deployment sent a malformed response.", code: "upstream_malformed")
        case .truncated:
            return .upstream("The model deployment ended its stream before finishing.", code: "upstream_truncated")
        case .streamError:
            return .upstream(
                "The model deployment failed in mid-stream: \(upstreamMessage ?? "no message")",
                code: "upstream_stream_error")
        }
    }
}
