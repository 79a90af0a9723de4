/// An error Pillar reports to its callers. `kind` picks the HTTP status at the edge; `code` is the
/// machine-readable code clients switch on and is safe to use as a metric label; `message` is for people
/// and never carries a secret.
public struct PillarError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case invalidRequest
        case authenticationRequired
        case permissionDenied
        case notFound
        /// The request clashes with the resource's current state (an analysis already running).
        case conflict
        case payloadTooLarge
        case unsupportedMediaType
        case rateLimited
        case upstreamFailed
        case unavailable
        case timeout
        case internalError
        /// The path exists, but not with this method.
        case methodNotAllowed
    }

    public let kind: Kind
    /// One of `ErrorCatalogue.entries`.
    public let code: String
    public let message: String
    public var param: String?
    /// How long the caller should wait before trying again, when the refusal is temporary.
    public var retryAfterSeconds: Int?
    /// Extra response headers that explain the refusal (`x-ratelimit-*`).
    public var headers: [String: String] = [:]

    public init(_ kind: Kind, code: String, message: String, param: String? = nil, retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.param = param
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var shortDescription: String { code }
    public var description: String { "\(code): \(message)" }

    public static func invalidRequest(_ message: String, param: String? = nil, code: String = "invalid_request") -> Self {
        .init(.invalidRequest, code: code, message: message, param: param)
    }

    public static func modelNotFound(_ model: String) -> Self {
        .init(
            .notFound, code: "model_not_found", message: "The model '\(model)' does not exist or you do not have access to it.",
            param: "model")
    }

    /// A paging cursor that names no item of the list (`after`).
    public static func invalidCursor(_ cursor: String) -> Self {
        .init(
            .invalidRequest, code: "invalid_cursor",
            message: "'after' must be the id of an item of this list (from a previous page), not '\(cursor.prefix(80))'.",
            param: "after")
    }

    public static func notFound(_ message: String) -> Self {
        .init(.notFound, code: "not_found", message: message)
    }

    public static func permissionDenied(_ message: String) -> Self {
        .init(.permissionDenied, code: "permission_denied", message: message)
    }

    public static func unauthenticated(_ message: String, code: String = "invalid_api_key", param: String? = nil) -> Self {
        .init(.authenticationRequired, code: code, message: message, param: param)
    }

    public static func upstream(_ message: String, code: String = "upstream_error") -> Self {
        .init(.upstreamFailed, code: code, message: message)
    }

    public static func unavailable(_ message: String, retryAfterSeconds: Int? = nil) -> Self {
        .init(.unavailable, code: "service_unavailable", message: message, retryAfterSeconds: retryAfterSeconds)
    }

    /// Any error as a line for logs and alerts: a Pillar error's code and message, otherwise only its type, so
    /// that no request text an underlying error might quote is written out.
    public static func summary(of error: any Error) -> String {
        if let pillar = error as? PillarError { return "\(pillar.code): \(pillar.message)" }
        return String(describing: type(of: error))
    }
}

extension PillarError.Kind {
    /// The HTTP status a refusal of this kind is answered with.
    public var httpStatus: Int {
        switch self {
        case .invalidRequest: 400
        case .authenticationRequired: 401
        case .permissionDenied: 403
        case .notFound: 404
        case .methodNotAllowed: 405
        case .conflict: 409
        case .payloadTooLarge: 413
        case .unsupportedMediaType: 415
        case .rateLimited: 429
        case .upstreamFailed: 502
        case .unavailable: 503
        case .timeout: 504
        case .internalError: 500
        }
    }
}
