import Foundation
import Hummingbird
import PillarCore
import PillarMonitoring

/// `/v1/{prompts|flows}/{name}/labels/{label}/analysis`: start a canary analysis of a candidate
/// version on a label (POST), read where the latest one stands (GET), abort it (DELETE). The analysis moves
/// the label itself; every decision is in the audit log with its evidence.
struct CanaryAnalysisController: Sendable {
    let analyses: CanaryAnalyses
    let defaults: CanaryAnalysisSpec
    let bodyReader: RequestBodyReader
    /// With `monitoring.enabled: false` nothing judges or ticks: an analysis could never move.
    let enabled: Bool

    /// Any field left out takes the configured default (`monitoring.canary`).
    struct StartRequest: Decodable {
        var candidate: Int
        var steps: [Int]?
        var intervalSeconds: Int?
        var minimumSamples: Int?
        var failureLimit: Int?
        var checks: [Check]?

        struct Check: Decodable {
            var signal: String
            var tolerance: Double
            var threshold: Double?
        }

        enum CodingKeys: String, CodingKey {
            case candidate, steps, checks
            case intervalSeconds = "interval_seconds"
            case minimumSamples = "minimum_samples"
            case failureLimit = "failure_limit"
        }
    }

    struct AnalysisView: Encodable {
        var id: String
        var kind: String
        var name: String
        var label: String
        var stableVersion: Int
        var candidateVersion: Int
        var status: String
        var weight: Int
        var step: Int
        var failures: Int
        var startedBy: String
        var createdAt: Double
        var updatedAt: Double
        var spec: CanaryAnalysisSpec
        var decisions: [CanaryDecision]

        init(_ analysis: CanaryAnalyses.Analysis) {
            let record = analysis.record
            id = record.id
            kind = record.kind.rawValue
            name = record.name
            label = record.label
            stableVersion = record.stableVersion
            candidateVersion = record.candidateVersion
            status = analysis.state.status.rawValue
            weight = analysis.state.weight
            step = analysis.state.stepIndex + 1
            failures = analysis.state.failures
            startedBy = record.startedBy
            createdAt = record.createdAt
            updatedAt = record.updatedAt
            spec = analysis.spec
            decisions = analysis.state.decisions
        }
    }

    func addRoutes(prompts: RouterGroup<AdminContext>, flows: RouterGroup<AdminContext>) {
        for (group, kind) in [(prompts, LibraryKind.prompt), (flows, LibraryKind.flow)] {
            group.post("{name}/labels/{label}/analysis") { request, context in try await start(kind, request, context) }
            group.get("{name}/labels/{label}/analysis") { request, context in try await show(kind, request, context) }
            // An action, not a DELETE: the aborted analysis stays on record, and the answer is its final state.
            group.post("{name}/labels/{label}/analysis/abort") { request, context in try await abort(kind, request, context) }
        }
    }

    func spec(from body: StartRequest) throws -> CanaryAnalysisSpec {
        var spec = defaults
        if let steps = body.steps { spec.steps = steps }
        if let interval = body.intervalSeconds { spec.intervalSeconds = interval }
        if let minimum = body.minimumSamples { spec.minimumSamples = minimum }
        if let limit = body.failureLimit { spec.failureLimit = limit }
        if let checks = body.checks {
            spec.checks = try checks.enumerated().map { index, check in
                guard let signal = QualitySignal(rawValue: check.signal) else {
                    throw PillarError.invalidRequest(
                        "'\(check.signal.prefix(64))' is not a signal; one of \(QualitySignal.allCases.map(\.rawValue).joined(separator: ", "))",
                        param: "checks[\(index)].signal", code: "invalid_checks")
                }
                return CanaryCheck(signal: signal, tolerance: check.tolerance, threshold: check.threshold)
            }
        }
        return spec
    }

    func start(_ kind: LibraryKind, _ request: Request, _ context: AdminContext) async throws -> Response {
        guard enabled else {
            throw PillarError(
                .conflict, code: "monitoring_disabled",
                message: "Canary analysis needs production monitoring, which is off (monitoring.enabled).")
        }
        let name = try context.parameters.require("name")
        let label = try context.parameters.require("label")
        let body = try await bodyReader.decode(StartRequest.self, from: request)
        let analysis = try await analyses.start(
            tenant: context.principal.tenant, kind: kind, name: name, label: label,
            candidate: body.candidate, spec: try spec(from: body),
            by: context.principal.subject)
        return try JSONResponse.snakeCased(AnalysisView(analysis), status: .created)
    }

    func show(_ kind: LibraryKind, _ request: Request, _ context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let label = try context.parameters.require("label")
        guard let analysis = try await analyses.latest(tenant: context.principal.tenant, kind: kind, name: name, label: label)
        else {
            throw PillarError.notFound("The label '\(label.prefix(64))' of '\(name.prefix(80))' has had no canary analysis.")
        }
        return try JSONResponse.snakeCased(AnalysisView(analysis))
    }

    func abort(_ kind: LibraryKind, _ request: Request, _ context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let label = try context.parameters.require("label")
        let analysis = try await analyses.abort(
            tenant: context.principal.tenant, kind: kind, name: name, label: label,
            by: context.principal.subject)
        return try JSONResponse.snakeCased(AnalysisView(analysis))
    }
}
