import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the charting library the console draws with, `/console/vendor/plotly.min.js`, from the copy set-up takes
/// out of plotly's wheel (`evaluation.plotlyScript`, else `$PILLAR_CACHE/vendor/plotly.min.js`): a file of the
/// machine, not of the repository, so it is not among the bundled pages. Like those pages it is static and needs no
/// credentials. Without the file the path answers 404 and the console shows its figures as tables only.
struct VendorScriptMiddleware<Context: RequestContext>: RouterMiddleware {
    static var path: String { "/console/vendor/plotly.min.js" }
    let file: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.uri.path == Self.path, request.method == .get || request.method == .head else {
            return try await next(request, context)
        }
        guard let file, let data = FileManager.default.contents(atPath: file) else {
            throw HTTPError(.notFound, message: "plotly.js is not installed on this server (make setup puts it in the cache).")
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/javascript; charset=utf-8"
        headers[.cacheControl] = "public, max-age=86400"
        return Response(
            status: .ok, headers: headers,
            body: request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
