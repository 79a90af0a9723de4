import Foundation
import Hummingbird
import PillarCore

/// Refuses a path holding a control character (NUL among them) or percent-encoding that is not UTF-8, before
/// any route or file lookup. A NUL ends a C string: `/app.js%00.html` opened `app.js` from disk and served it
/// with the type of `.html`.
struct PathCharacterCheck<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        let path = request.uri.path
        guard let decoded = path.removingPercentEncoding else {
            throw PillarError.invalidRequest("The path's percent-encoding is not UTF-8.", code: "invalid_path")
        }
        if decoded.unicodeScalars.contains(where: Self.isControl) || path.unicodeScalars.contains(where: Self.isControl) {
            throw PillarError.invalidRequest("The path contains a control character.", code: "invalid_path")
        }
        return try await next(request, context)
    }

    /// C0 controls, DEL and C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
