import Foundation
import HTTPTypes
import Hummingbird
import PillarCore

/// A `PillarError` at the HTTP edge: the status for its kind and a body in OpenAI's error format,
/// `{"error": {"message", "type", "param", "code"}}`, so that OpenAI SDKs raise their usual exceptions.
public struct PillarHTTPError: HTTPResponseError {
    public let error: PillarError
    /// Fields added to the error object beside OpenAI's four (Azure's `status` and `innererror`).
    public let details: [String: JSONValue]

    public init(_ error: PillarError, details: [String: JSONValue] = [:]) {
        self.error = error
        self.details = details
    }

    public var status: HTTPResponse.Status { HTTPResponse.Status(code: error.kind.httpStatus) }

    /// OpenAI's `type` field.
    var type: String {
        switch error.kind {
        case .invalidRequest, .notFound, .methodNotAllowed, .conflict, .payloadTooLarge, .unsupportedMediaType:
            return "invalid_request_error"
        case .authenticationRequired: return "authentication_error"
        case .permissionDenied: return "permission_error"
        case .rateLimited: return "rate_limit_error"
        case .upstreamFailed, .unavailable, .timeout, .internalError: return "api_error"
        }
    }

    public var body: [String: JSONValue] {
        let fields: [String: JSONValue] = [
            "message": .string(error.message), "type": .string(type), "code": .string(error.code),
            "param": error.param.map(JSONValue.string) ?? .null,
        ]
        return ["error": .object(fields.merging(details) { own, _ in own })]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if status == .unauthorized {
            headers[.wwwAuthenticate] = #"Bearer realm="pillar", error="invalid_token""#
        }
        if let seconds = error.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let data = (try? JSONEncoder().encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error a handler or Hummingbird throws into the OpenAI error format, so a client never sees
/// two shapes of error. Unknown errors become a 500 whose message says nothing of the internals.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// When given, a known path asked with a method it does not answer is a 405 with `Allow`, not a 404.
    var routes: RouteMethods?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as PillarHTTPError {
            return try error.response(from: request, context: context)
        } catch let error as PillarError {
            return try PillarHTTPError(error).response(from: request, context: context)
        } catch let error as HTTPError {
            if error.status == .notFound, let allowed = routes?.allowed(on: request.uri.path), !allowed.isEmpty {
                var refusal = PillarError(
                    .methodNotAllowed, code: "method_not_allowed",
                    message: "This path answers \(allowed.joined(separator: ", ")), not \(request.method).")
                refusal.headers["Allow"] = allowed.joined(separator: ", ")
                return try PillarHTTPError(refusal).response(from: request, context: context)
            }
            return try PillarHTTPError(Self.translate(error)).response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return try PillarHTTPError(
                PillarError(
                    .internalError, code: "internal_error",
                    message: "The server failed to handle the request.")
            )
            .response(from: request, context: context)
        }
    }

    static func translate(_ error: HTTPError) -> PillarError {
        let message = error.body ?? error.status.reasonPhrase
        switch error.status {
        case .notFound: return .notFound("No route matches this path.")
        case .methodNotAllowed:
            return PillarError(.methodNotAllowed, code: "method_not_allowed", message: "This method is not allowed on this path.")
        case .contentTooLarge: return PillarError(.payloadTooLarge, code: "payload_too_large", message: message)
        case .unauthorized: return .unauthenticated(message)
        case .forbidden: return .permissionDenied(message)
        default:
            if error.status.code >= 500 {
                return PillarError(.internalError, code: "internal_error", message: message)
            }
            return .invalidRequest(message)
        }
    }
}
