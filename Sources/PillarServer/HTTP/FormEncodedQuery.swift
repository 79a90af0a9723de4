import Foundation
import Hummingbird

/// Reads a `+` in the query string as a space, as HTML forms, `URLSearchParams` and Python's `requests` write one
/// (`?subject=Ada+Lovelace`); Hummingbird's query parser reads it as a plus. A plus meant as a plus arrives as `%2B`
/// from all of them, and stays one. The path is left alone: there a `+` is a plus.
struct FormEncodedQuery<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard let path = request.head.path, let mark = path.utf8.firstIndex(of: UInt8(ascii: "?")),
            path.utf8[mark...].contains(UInt8(ascii: "+"))
        else { return try await next(request, context) }
        var head = request.head
        head.path = String(path[..<mark]) + path[mark...].replacingOccurrences(of: "+", with: "%20")
        return try await next(Request(head: head, body: request.body), context)
    }
}
