import Foundation
import HTTPTypes
import Hummingbird
import PillarCore
import PillarEval

/// `/v1/admin/eval`, for the tenant's admins: datasets (import, export, from production traces), runs (start,
/// follow, resume, cancel, results, report), comparisons with reports, baselines and gates.
struct EvaluationController: Sendable {
    let service: EvaluationService
    let bodyReader: RequestBodyReader

    func addRoutes(to group: RouterGroup<AdminContext>) {
        group.get("datasets", use: listDatasets)
        group.get("datasets/{name}", use: showDataset)
        group.post("datasets/{name}", use: importDataset)
        group.get("datasets/{name}/export", use: exportDataset)
        group.post("datasets/{name}/from-traces", use: datasetFromTraces)
        group.post("runs", use: startRun)
        group.get("runs", use: listRuns)
        group.get("runs/{id}", use: showRun)
        group.get("runs/{id}/results", use: results)
        group.get("runs/{id}/report", use: runReport)
        group.post("runs/{id}/resume", use: resume)
        group.post("runs/{id}/cancel", use: cancel)
        group.post("runs/{id}/baseline", use: setBaseline)
        group.get("baselines", use: baselines)
        group.get("compare", use: compare)
        group.post("gates", use: gate)
        group.get("gates", use: gates)
    }

    // MARK: datasets

    @Sendable func listDatasets(_ request: Request, context: AdminContext) async throws -> Response {
        try JSONResponse.make(
            try PageRequest(request).page(try await service.store.datasets(tenant: context.principal.tenant)) {
                $0.name
            })
    }

    struct DatasetView: Encodable {
        var versions: [EvalDatasetVersion]
        var version: EvalDatasetVersion
        var items: [EvalItem]?
    }

    @Sendable func showDataset(_ request: Request, context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let version = try Self.version(of: request)
        let (found, items) = try await service.dataset(tenant: context.principal.tenant, name: name, version: version)
        let withItems = request.uri.queryParameters.get("items") == "true"
        return try JSONResponse.make(
            DatasetView(
                versions: try await service.store.datasetVersions(tenant: context.principal.tenant, name: name),
                version: found, items: withItems ? items : nil))
    }

    static func version(of request: Request) throws(PillarError) -> Int? {
        guard let text = request.uri.queryParameters.get("version") else { return nil }
        return try QueryInteger.parse(text, name: "version", default: 1, range: 1...1_000_000)
    }

    static func format(of request: Request) throws(PillarError) -> DatasetFormat {
        let text = request.uri.queryParameters.get("format") ?? "jsonl"
        guard let format = DatasetFormat(name: text) else {
            throw PillarError.invalidRequest("format must be jsonl or csv", param: "format", code: "invalid_format")
        }
        return format
    }

    @Sendable func importDataset(_ request: Request, context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let format = try Self.format(of: request)
        let body = try await bodyReader.bytes(of: request)
        let note = request.uri.queryParameters.get("note")
        let saved = try await service.importDataset(
            tenant: context.principal.tenant, name: name,
            data: Data(body.readableBytesView), format: format, note: note,
            by: context.principal.subject)
        return try JSONResponse.make(saved, status: .created)
    }

    @Sendable func exportDataset(_ request: Request, context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let format = try Self.format(of: request)
        let data = try await service.exportDataset(
            tenant: context.principal.tenant, name: name,
            version: try Self.version(of: request), format: format,
            by: context.principal.subject)
        var headers = HTTPFields()
        headers[.contentType] = format == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct FromTraces: Decodable {
        var selection: EvaluationService.TraceSelection
        var limit: Int?
        var note: String?
    }

    @Sendable func datasetFromTraces(_ request: Request, context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let asked = try await bodyReader.decode(FromTraces.self, from: request)
        let saved = try await service.datasetFromTraces(
            tenant: context.principal.tenant, name: name,
            selection: asked.selection, limit: asked.limit ?? 200,
            note: asked.note, by: context.principal.subject)
        return try JSONResponse.make(saved, status: .created)
    }

    // MARK: runs

    @Sendable func startRun(_ request: Request, context: AdminContext) async throws -> Response {
        let spec = try await bodyReader.decode(EvalRunSpec.self, from: request)
        let run = try await service.startRun(spec, tenant: context.principal.tenant, by: context.principal.subject)
        return try JSONResponse.make(run, status: .accepted)
    }

    @Sendable func listRuns(_ request: Request, context: AdminContext) async throws -> Response {
        let dataset = request.uri.queryParameters.get("dataset")
        // Runs are few and heavy: the list is read whole and paged here.
        let runs = try await service.store.runs(tenant: context.principal.tenant, dataset: dataset, limit: Int(Int32.max))
        return try JSONResponse.make(try PageRequest(request).page(runs) { $0.id })
    }

    @Sendable func showRun(_ request: Request, context: AdminContext) async throws -> Response {
        try JSONResponse.make(try await service.run(try context.parameters.require("id"), tenant: context.principal.tenant))
    }

    @Sendable func results(_ request: Request, context: AdminContext) async throws -> Response {
        let run = try await service.run(try context.parameters.require("id"), tenant: context.principal.tenant)
        return try JSONResponse.make(
            try PageRequest(request).page(try await service.store.results(runID: run.id, tenant: run.tenant)) {
                "\($0.itemID)#\($0.repeatIndex)"
            })
    }

    @Sendable func runReport(_ request: Request, context: AdminContext) async throws -> Response {
        let run = try await service.run(try context.parameters.require("id"), tenant: context.principal.tenant)
        let results = try await service.store.results(runID: run.id, tenant: run.tenant)
        let metrics = try ScoringPlan.make(run.spec).metrics
        return Self.text(RunReport.markdown(run: run, results: results, metrics: metrics), type: "text/markdown; charset=utf-8")
    }

    @Sendable func resume(_ request: Request, context: AdminContext) async throws -> Response {
        try JSONResponse.make(
            try await service.resume(
                try context.parameters.require("id"), tenant: context.principal.tenant,
                by: context.principal.subject), status: .accepted)
    }

    @Sendable func cancel(_ request: Request, context: AdminContext) async throws -> Response {
        try JSONResponse.make(
            try await service.cancel(
                try context.parameters.require("id"), tenant: context.principal.tenant,
                by: context.principal.subject))
    }

    @Sendable func setBaseline(_ request: Request, context: AdminContext) async throws -> Response {
        try JSONResponse.make(
            try await service.setBaseline(
                try context.parameters.require("id"),
                tenant: context.principal.tenant, by: context.principal.subject))
    }

    @Sendable func baselines(_ request: Request, context: AdminContext) async throws -> Response {
        try JSONResponse.make(
            try PageRequest(request).page(try await service.store.baselines(tenant: context.principal.tenant)) {
                "\($0.dataset)#\($0.flow)"
            })
    }

    // MARK: comparisons and gates

    @Sendable func compare(_ request: Request, context: AdminContext) async throws -> Response {
        guard let baseline = request.uri.queryParameters.get("baseline"),
            let candidate = request.uri.queryParameters.get("candidate")
        else {
            throw PillarError.invalidRequest("compare needs baseline and candidate run ids", param: "baseline")
        }
        let comparison = try await service.compare(tenant: context.principal.tenant, baseline: baseline, candidate: candidate)
        switch request.uri.queryParameters.get("format") ?? "json" {
        case "json":
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: try ComparisonReport.json(comparison))))
        case "markdown": return Self.text(ComparisonReport.markdown(comparison), type: "text/markdown; charset=utf-8")
        case "html":
            let page = ComparisonReport.html(comparison, plotlyScript: service.plotlyScript())
            var response = Self.text(page, type: "text/html; charset=utf-8")
            response.headers[.contentSecurityPolicy] = SecurityHeadersMiddleware<AppRequestContext>.selfContainedPolicy(page)
            return response
        default:
            throw PillarError.invalidRequest("format must be json, markdown or html", param: "format", code: "invalid_format")
        }
    }

    static func text(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    struct GateRequest: Decodable {
        var candidate: String
        var baseline: String?
        var require: String
    }

    struct GateView: Encodable {
        var gate: EvalGateRecord
        var summary: String
    }

    @Sendable func gate(_ request: Request, context: AdminContext) async throws -> Response {
        let asked = try await bodyReader.decode(GateRequest.self, from: request)
        let (gate, verdict) = try await service.gate(
            tenant: context.principal.tenant, candidate: asked.candidate,
            baseline: asked.baseline, requirement: asked.require,
            by: context.principal.subject)
        return try JSONResponse.make(GateView(gate: gate, summary: verdict.summary))
    }

    @Sendable func gates(_ request: Request, context: AdminContext) async throws -> Response {
        let gates = try await service.store.gates(tenant: context.principal.tenant, limit: Int(Int32.max))
        return try JSONResponse.make(try PageRequest(request).page(gates) { $0.id })
    }
}
