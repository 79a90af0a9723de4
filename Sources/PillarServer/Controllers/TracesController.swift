import Foundation
import Hummingbird
import PillarCore

/// `GET /v1/traces/{id}`: how one answer came to be. Its own user or the tenant's admins may read it; in
/// another tenant the id finds nothing. `GET /v1/traces`: the answers to look into, found by time, user, flow and
/// outcome; a user finds only their own.
struct TracesController: Sendable {
    let traces: any FlowTraceRepository
    let quality: any QualityRepository
    let turns: any TurnRepository

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("traces", use: search)
        group.get("traces/{id}", use: read)
    }

    /// `GET /v1/traces?from=…&to=…&subject=…&flow=…&status=…&limit=…&after=…`, newest first; times are seconds
    /// since 1970.
    @Sendable func search(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = try PageRequest(request)
        let query = request.uri.queryParameters
        let principal = context.principal
        func time(_ name: String) throws -> Double? {
            guard let text = query.get(name) else { return nil }
            guard let value = Double(text), value.isFinite, value >= 0, value < 1e11 else {
                throw PillarError.invalidRequest("'\(name)' must be a time in seconds since 1970", param: name)
            }
            return value
        }
        func text(_ name: String) throws -> String? {
            guard let value = query.get(name) else { return nil }
            guard !value.isEmpty, value.count <= 512 else {
                throw PillarError.invalidRequest("'\(name)' must be 1-512 characters", param: name)
            }
            return value
        }
        var status: FlowTrace.NodeStatus?
        if let value = query.get("status") {
            guard let parsed = FlowTrace.NodeStatus(rawValue: value), parsed != .skipped else {
                throw PillarError.invalidRequest("'status' must be succeeded or failed", param: "status")
            }
            status = parsed
        }
        var subject = try text("subject")
        if !principal.isAdmin {
            // A user's search is of their own answers, whatever it names.
            guard subject == nil || subject == principal.subject else {
                throw PillarError.permissionDenied("Only admins may search other users' traces.")
            }
            subject = principal.subject
        }
        let found = try await traces.searchTraces(
            tenant: principal.tenant,
            matching: TraceSearch(
                subject: subject, flow: try text("flow"), status: status, from: try time("from"), to: try time("to"),
                after: page.after, limit: page.fetchLimit))
        return try JSONResponse.make(page.page(fetched: found))
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
        var calls: [TurnRecord] = []
        if let telemetry = trace.telemetryTraceID {
            calls = try await turns.turns(tenant: principal.tenant, subject: trace.subject, traceID: telemetry)
        }
        let body = try encoder.encode(
            TraceView(trace: trace, quality: sample.map(QualityView.init), turns: calls))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The trace with what production monitoring made of the answer (whether it was sampled, and the judges'
    /// scores once they are in) and the gateway's calls made for it, with what they cost.
    struct TraceView: Encodable {
        var trace: FlowTrace
        var quality: QualityView?
        /// Encoded with their own snake-case keys, which the encoder's conversion leaves as they are.
        var turns: [TurnRecord]

        func encode(to encoder: any Encoder) throws {
            try trace.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(quality, forKey: .quality)
            try container.encode(turns, forKey: .turns)
            // Nil when no call had a price: "free" and "not priced" are not the same.
            let priced = turns.compactMap(\.costUSD)
            try container.encode(priced.isEmpty ? nil : priced.reduce(0, +), forKey: .costUsd)
        }

        enum Key: String, CodingKey { case quality, turns, costUsd }
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
