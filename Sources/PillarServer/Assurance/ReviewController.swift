import Foundation
import Hummingbird
import PillarCore

/// `/v1/admin/review`, `/v1/admin/isolation-probe` and `/v1/admin/load-tests`: the scorecard, the isolation
/// probe's last round (and one on demand), and load tests reported by the tools that ran them. All are for the
/// platform's admins (the `default` tenant's): a review reads every tenant's configuration and evidence.
struct ReviewController: Sendable {
    let review: ReviewService
    let probe: IsolationProbeRunner?
    let assurance: any AssuranceRepository
    let bodyReader: RequestBodyReader

    struct LoadTestReport: Decodable {
        var tool: String
        var target: String
        var requestsPerSecond: Double
        var p95Ms: Double
        var errorRate: Double
        var durationSeconds: Double
        var concurrency: Int

        enum CodingKeys: String, CodingKey {
            case tool, target, concurrency
            case requestsPerSecond = "requests_per_second"
            case p95Ms = "p95_ms"
            case errorRate = "error_rate"
            case durationSeconds = "duration_seconds"
        }
    }

    struct CheckDescription: Encodable {
        var id: String
        var pillar: ReviewPillar
        var title: String
        var principle: String
        var fix: String
        var waivable: Bool
    }

    func addRoutes(to group: RouterGroup<PlatformAdminContext>) {
        group.get("review", use: report)
        group.get("review/checks", use: checks)
        group.get("isolation-probe", use: latestProbe)
        group.post("isolation-probe", use: runProbe)
        group.get("load-tests", use: loadTests)
        group.post("load-tests", use: recordLoadTest)
    }

    @Sendable func report(_ request: Request, context: PlatformAdminContext) async throws -> Response {
        let report = try await review.review()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: try report.json())))
    }

    @Sendable func checks(_ request: Request, context: PlatformAdminContext) async throws -> Response {
        let checks = ReviewCatalogue.all.map {
            CheckDescription(
                id: $0.id, pillar: $0.pillar, title: $0.title, principle: $0.principle, fix: $0.fix, waivable: $0.waivable)
        }
        return try JSONResponse.snakeCased(try PageRequest(request).page(checks) { $0.id })
    }

    @Sendable func latestProbe(_ request: Request, context: PlatformAdminContext) async throws -> Response {
        guard let run = try await assurance.latestProbeRun() else {
            throw PillarError.notFound("The isolation probe has not run yet.")
        }
        return try JSONResponse.snakeCased(run)
    }

    @Sendable func runProbe(_ request: Request, context: PlatformAdminContext) async throws -> Response {
        guard let probe else {
            throw PillarError(
                .conflict, code: "probe_disabled", message: "The isolation probe is off (assurance.isolationProbe.enabled).")
        }
        return try JSONResponse.snakeCased(await probe.runRound())
    }

    @Sendable func loadTests(_ request: Request, context: PlatformAdminContext) async throws -> Response {
        // Load tests are recorded by hand, a few at a time: the list is read whole and paged here.
        return try JSONResponse.snakeCased(
            try PageRequest(request).page(try await assurance.loadTests(limit: Int(Int32.max))) { $0.id })
    }

    @Sendable func recordLoadTest(_ request: Request, context: PlatformAdminContext) async throws -> Response {
        let body = try await bodyReader.decode(LoadTestReport.self, from: request)
        for (field, text) in [("tool", body.tool), ("target", body.target)] where text.isEmpty || text.count > 200 {
            throw PillarError.invalidRequest("\(field) must be 1-200 characters", param: field)
        }
        for (field, value, range) in [
            ("requests_per_second", body.requestsPerSecond, 0.0...10_000_000),
            ("p95_ms", body.p95Ms, 0.0...86_400_000), ("error_rate", body.errorRate, 0.0...1),
            ("duration_seconds", body.durationSeconds, 0.001...604_800),
        ]
        where !range.contains(value) {
            throw PillarError.invalidRequest(
                "\(field) must be \(ReviewCatalogue.format(range.lowerBound))-\(ReviewCatalogue.format(range.upperBound))",
                param: field)
        }
        guard (1...1_000_000).contains(body.concurrency) else {
            throw PillarError.invalidRequest("concurrency must be 1-1000000", param: "concurrency")
        }
        let record = LoadTestRecord(
            id: "load_" + RandomHex.make(bytes: 8), at: Date().timeIntervalSince1970, tool: body.tool,
            target: body.target, requestsPerSecond: body.requestsPerSecond, p95Ms: body.p95Ms,
            errorRate: body.errorRate, durationSeconds: body.durationSeconds, concurrency: body.concurrency)
        try await assurance.recordLoadTest(record)
        return try JSONResponse.snakeCased(record, status: .created)
    }
}
