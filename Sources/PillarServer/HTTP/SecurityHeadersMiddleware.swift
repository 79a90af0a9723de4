import HTTPTypes
import Hummingbird

/// Headers every response carries: a Content-Security-Policy that allows the pages only their own scripts,
/// styles and API (no inline script, no framing), no MIME sniffing, no referrer, and, when Pillar serves TLS
/// itself, HSTS so that browsers never fall back to plain HTTP.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    }

    /// `max-age=…` when TLS is Pillar's own; nil otherwise (HSTS over plain HTTP is ignored by browsers, and
    /// a proxy in front sets its own).
    let strictTransportSecurity: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if let strictTransportSecurity { response.headers[.strictTransportSecurity] = strictTransportSecurity }
        return response
    }
}
