import Crypto
import Foundation
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

    /// The policy of a self-contained page (the HTML evaluation report, which inlines plotly.js and its charts):
    /// exactly its own inline scripts, by hash, and nothing from anywhere. Styles stay inline-allowed because
    /// plotly.js writes its own style elements.
    static func selfContainedPolicy(_ page: String) -> String {
        var hashes: [String] = []
        var rest = page[...]
        while let open = rest.range(of: "<script>"), let close = rest[open.upperBound...].range(of: "</script>") {
            let body = rest[open.upperBound..<close.lowerBound]
            hashes.append("'sha256-\(Data(SHA256.hash(data: Data(body.utf8))).base64EncodedString())'")
            rest = rest[close.upperBound...]
        }
        let scripts = hashes.isEmpty ? "'none'" : hashes.joined(separator: " ")
        return "default-src 'none'; script-src \(scripts); style-src 'unsafe-inline'; img-src data:; "
            + "base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
    }

    /// `max-age=…` when TLS is Pillar's own; nil otherwise (HSTS over plain HTTP is ignored by browsers, and
    /// a proxy in front sets its own).
    let strictTransportSecurity: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        // A page that carries its own policy (a self-contained report) keeps it.
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if let strictTransportSecurity { response.headers[.strictTransportSecurity] = strictTransportSecurity }
        return response
    }
}
