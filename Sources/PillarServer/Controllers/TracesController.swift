import Foundation
import Hummingbird
import PillarCore

/// `GET /v1/traces/{id}`: how one answer came to be. Its own user or the tenant's admins may read it; in
/// another tenant the id finds nothing.
struct TracesController: Sendable {
    let traces: any FlowTraceRepository

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("traces/{id}", use: read)
    }

    @Sendable func read(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let principal = context.principal
        guard let trace = try await traces.trace(id: id, tenant: principal.tenant),
              trace.subject == principal.subject || principal.isAdmin else {
            throw PillarError.notFound("There is no trace '\(id.prefix(80))'.")
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(trace))))
    }
}
