import HTTPTypes
import Hummingbird

/// The plain-HTTP port's whole job when Pillar serves TLS: every request is sent, with its path and query, to
/// the same host on the HTTPS port (308 keeps the method and body). Nothing is served in plain text.
struct HTTPSRedirectMiddleware<Context: RequestContext>: RouterMiddleware {
    let httpsPort: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let host = Self.hostName(request.head.authority) else {
            throw HTTPError(.badRequest, message: "This port only redirects to HTTPS, and the request names no valid host.")
        }
        let port = httpsPort == 443 ? "" : ":\(httpsPort)"
        var response = Response(status: .permanentRedirect)
        response.headers[.location] = "https://\(host)\(port)\(request.uri.string)"
        return response
    }

    /// The host of a Host header, without its port; nil for one that is no host name or IP address (it is
    /// written into the Location header, so nothing else may pass).
    static func hostName(_ authority: String?) -> String? {
        guard let authority, !authority.isEmpty, authority.count <= 255 else { return nil }
        var host = Substring(authority)
        var port: Substring = ""
        if authority.hasPrefix("[") {
            guard let end = authority.firstIndex(of: "]") else { return nil }
            host = authority[...end]
            port = authority[authority.index(after: end)...]
            let address = host.dropFirst().dropLast()
            guard !address.isEmpty, address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                port = authority[colon...]
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
            else { return nil }
        }
        // What follows the host is nothing or a port.
        guard port.isEmpty || (port.count > 1 && port.first == ":" && port.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }))
        else { return nil }
        return String(host)
    }
}
