import Foundation
import Hummingbird
import PillarCore

/// `GET /v1/traces/{id}`: how one answer came to be. Its own user or the tenant's admins may read it; in
/// another tenant the id finds nothing.
struct TracesController: Sendable {
    let traces: any FlowTraceRepository
    let quality: any QualityRepository

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("traces/{id}", use: read)
    }

    @Sendable func read(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let principal = context.principal
        guard let trace = try await traces.trace(id: id, tenant: principal.tenant),
            trace.subject == principal.subject || principal.isAdmin
        else {
            throw PillarError.notFound("There is no trace '\(id.prefix(80))'.")
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let sample = try await quality.sample(traceID: trace.id, tenant: principal.tenant)
        let body = try encoder.encode(TraceView(trace: trace, quality: sample.map(QualityView.init)))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The trace with what production monitoring made of the answer: whether it was sampled, and the
    /// judges' scores once they are in.
    struct TraceView: Encodable {
        var trace: FlowTrace
        var quality: QualityView?

        func encode(to encoder: any Encoder) throws {
            try trace.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(quality, forKey: .quality)
        }

        enum Key: String, CodingKey { case quality }
    }

    struct QualityView: Encodable {
        var judgement: String
        var groundedness: Double?
        var relevance: Double?
        var abstained: Bool
        var refused: Bool
        var coverage: Double?
        var thumbsDown: Bool?

        init(_ sample: QualitySample) {
            judgement = sample.judgement.rawValue
            groundedness = sample.groundedness
            relevance = sample.relevance
            abstained = sample.abstained
            refused = sample.refused
            coverage = sample.coverage
            thumbsDown = sample.thumbsDown
        }
    }
}
