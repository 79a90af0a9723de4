import Foundation
import Logging
import PillarCore
import PillarEval
import PillarFlows

/// Everything `/v1/admin/eval` and `pillar eval` do, in one place: datasets in and out, runs started, resumed and
/// cancelled, comparisons, baselines and gates. Every change is audited.
struct EvaluationService: Sendable {
    let store: any EvalRepository
    let coordinator: EvalRunCoordinator
    let runner: EvalRunner
    let answering: FlowEvalAnswering
    let traces: any FlowTraceRepository
    let feedback: any DataProtectionRepository
    let redaction: StorageRedaction
    let audit: any AuditLog
    let settings: PillarConfiguration.Evaluation
    let plotlyScriptPath: String?

    static let maxDatasetNameLength = 64

    func record(_ action: String, tenant: String, actor: String, target: String, _ details: [String: String]) async throws {
        try await audit.append(tenant: tenant, actor: actor, action: "eval.\(action)", target: target, details: details)
    }

    static func validate(datasetName name: String) throws(PillarError) {
        do { try LibraryReference.validate(name: name) } catch {
            throw PillarError.invalidRequest(
                "A dataset name is 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit; got '\(name.prefix(80))'.",
                param: "name", code: "invalid_dataset_name")
        }
    }

    // MARK: datasets

    func importDataset(
        tenant: String, name: String, data: Data, format: DatasetFormat, note: String?,
        by actor: String
    ) async throws -> EvalDatasetVersion {
        try Self.validate(datasetName: name)
        let items: [EvalItem]
        do {
            items = try DatasetImport.parse(data, format: format)
        } catch {
            throw PillarError.invalidRequest("The dataset is not valid: \(error)", param: "file", code: "invalid_dataset")
        }
        let saved = try await store.saveDataset(
            tenant: tenant, name: name, items: items.map { clean($0, tenant: tenant) },
            subjects: [], source: "import:\(format.rawValue)", note: note, createdBy: actor)
        try await record(
            "dataset.import", tenant: tenant, actor: actor, target: name,
            ["version": "\(saved.version)", "items": "\(saved.itemCount)", "format": format.rawValue])
        return saved
    }

    /// An item as stored: its people's words lose their personal data first, as conversations' do.
    func clean(_ item: EvalItem, tenant: String) -> EvalItem {
        var item = item
        item.question = redaction.clean(item.question, tenant: tenant)
        item.expectedAnswer = item.expectedAnswer.map { redaction.clean($0, tenant: tenant) }
        item.expectedFacts = item.expectedFacts.map { redaction.clean($0, tenant: tenant) }
        item.history = item.history.map { .init(role: $0.role, content: redaction.clean($0.content, tenant: tenant)) }
        return item
    }

    func dataset(tenant: String, name: String, version: Int?) async throws -> (EvalDatasetVersion, [EvalItem]) {
        guard let found = try await store.dataset(tenant: tenant, name: name, version: version) else {
            throw PillarError.notFound(
                version.map { "The dataset '\(name)' has no version \($0)." } ?? "There is no dataset named '\(name)'.")
        }
        return (found, try await store.items(tenant: tenant, name: name, version: found.version))
    }

    func exportDataset(tenant: String, name: String, version: Int?, format: DatasetFormat, by actor: String) async throws -> Data
    {
        let (found, items) = try await dataset(tenant: tenant, name: name, version: version)
        try await record(
            "dataset.export", tenant: tenant, actor: actor, target: name,
            ["version": "\(found.version)", "items": "\(items.count)", "format": format.rawValue])
        return DatasetExport.render(items, format: format)
    }

    enum TraceSelection: String, Decodable {
        /// Answers people rated, with the rating kept for judge agreement.
        case feedback
        /// The newest answers.
        case sample
    }

    /// A new dataset version from production: answers that got feedback, or the newest answers. Only people
    /// who consented to share their conversations contribute, and each item remembers whose it was, so
    /// erasing that person removes it.
    func datasetFromTraces(
        tenant: String, name: String, selection: TraceSelection, limit: Int, note: String?,
        by actor: String
    ) async throws -> EvalDatasetVersion {
        try Self.validate(datasetName: name)
        guard (1...10_000).contains(limit) else {
            throw PillarError.invalidRequest("limit must be 1-10000", param: "limit")
        }
        var items: [EvalItem] = []
        var subjects: [String?] = []
        var consent: [String: Bool] = [:]
        func consented(_ subject: String) async throws -> Bool {
            if let known = consent[subject] { return known }
            let given = try await feedback.consent(tenant: tenant, subject: subject)
            consent[subject] = given
            return given
        }
        switch selection {
        case .feedback:
            for record in try await feedback.listFeedback(tenant: tenant, limit: 10_000) where items.count < limit {
                // The conversation comes with feedback only when its owner opted in to share it.
                guard let conversation = record.conversation, try await consented(record.subject),
                    let asked = conversation.lastIndex(where: { $0.role == .user })
                else { continue }
                let answer = conversation[asked...].first { $0.role == .assistant }
                let trace = try await traces.trace(id: record.traceID, tenant: tenant)
                let good = record.rating >= 4
                items.append(
                    EvalItem(
                        id: "trace-\(record.traceID.prefix(16))", question: conversation[asked].content,
                        history: conversation[..<asked].map { .init(role: $0.role.rawValue, content: $0.content) },
                        expectedAnswer: good ? answer?.content : nil,
                        expectedSources: good ? Array(Set(answer?.citations.map(\.sourceURI) ?? [])).sorted() : [],
                        tags: ["production", "feedback", good ? "rated-good" : "rated-bad"],
                        answerable: true,
                        human: .init(rating: record.rating, thumbs: record.rating == 1 || record.rating == 5),
                        traceID: trace?.id ?? record.traceID))
                subjects.append(record.subject)
            }
        case .sample:
            for trace in try await traces.recentTraces(tenant: tenant, limit: 10_000) where items.count < limit {
                guard trace.status == .succeeded, let query = trace.standaloneQuery, !query.isEmpty,
                    !trace.subject.hasPrefix(EvalIdentity.subjectPrefix), try await consented(trace.subject)
                else { continue }
                items.append(
                    EvalItem(
                        id: "trace-\(trace.id.prefix(16))", question: query, tags: ["production", "sample"],
                        traceID: trace.id))
                subjects.append(trace.subject)
            }
        }
        // Two ratings of one answer make one item.
        var seen = Set<String>()
        var unique: [(EvalItem, String?)] = []
        for (item, subject) in zip(items, subjects) where seen.insert(item.id).inserted { unique.append((item, subject)) }
        guard !unique.isEmpty else {
            throw PillarError.invalidRequest(
                selection == .feedback
                    ? "No feedback from people who consented to share their conversations was found."
                    : "No answers from people who consented to share their conversations were found.",
                code: "no_production_items")
        }
        let saved = try await store.saveDataset(
            tenant: tenant, name: name, items: unique.map { clean($0.0, tenant: tenant) },
            subjects: unique.map(\.1), source: "from-traces:\(selection.rawValue)",
            note: note, createdBy: actor)
        try await record(
            "dataset.from_traces", tenant: tenant, actor: actor, target: name,
            ["version": "\(saved.version)", "items": "\(saved.itemCount)", "selection": selection.rawValue])
        return saved
    }

    // MARK: runs

    func startRun(_ spec: EvalRunSpec, tenant: String, by actor: String) async throws -> EvalRunRecord {
        var spec = spec
        guard (1...settings.maxRepeats).contains(spec.repeats) else {
            throw PillarError.invalidRequest("repeat must be 1-\(settings.maxRepeats)", param: "repeats")
        }
        guard (1...settings.maxConcurrency).contains(spec.concurrency) else {
            throw PillarError.invalidRequest("concurrency must be 1-\(settings.maxConcurrency)", param: "concurrency")
        }
        guard spec.groups.count <= 100, spec.groups.allSatisfy({ !$0.isEmpty && $0.count <= 256 }) else {
            throw PillarError.invalidRequest("groups must be at most 100 names of 1-256 characters", param: "groups")
        }
        guard spec.note.map({ $0.count <= 2000 }) ?? true else {
            throw PillarError.invalidRequest("note must be at most 2000 characters", param: "note")
        }
        if spec.judgeModel == nil { spec.judgeModel = settings.judgeModel }
        let plan = try ScoringPlan.make(spec)
        let (dataset, items) = try await dataset(tenant: tenant, name: spec.dataset, version: spec.datasetVersion)
        spec.datasetVersion = dataset.version
        let versions = try await answering.prepare(spec, tenant: tenant)
        let run = EvalRunRecord(
            id: "run_" + RandomHex.make(bytes: 8), tenant: tenant, spec: spec, status: .running,
            versions: versions, total: items.count * spec.repeats, createdBy: actor,
            createdAt: Date().timeIntervalSince1970)
        try await store.createRun(run)
        try await record(
            "run.start", tenant: tenant, actor: actor, target: run.id,
            [
                "dataset": "\(dataset.name)@\(dataset.version)", "flow": "\(versions.flow.name)@\(versions.flow.version)",
                "prompts": spec.prompts.joined(separator: ","), "model": spec.model ?? "", "repeats": "\(spec.repeats)",
            ])
        try coordinator.start(run, items: items, plan: plan, runner: runner)
        return run
    }

    func run(_ id: String, tenant: String) async throws -> EvalRunRecord {
        guard let run = try await store.run(id: id, tenant: tenant) else {
            throw PillarError.notFound("There is no evaluation run '\(id.prefix(80))'.")
        }
        return run
    }

    func resume(_ id: String, tenant: String, by actor: String) async throws -> EvalRunRecord {
        var run = try await run(id, tenant: tenant)
        guard !coordinator.isRunning(id) else {
            throw PillarError.invalidRequest("The run \(id) is already going.", code: "run_in_progress")
        }
        guard run.status != .completed else {
            throw PillarError.invalidRequest("The run \(id) is complete; there is nothing to resume.", code: "run_complete")
        }
        let plan = try ScoringPlan.make(run.spec)
        let items = try await store.items(tenant: tenant, name: run.spec.dataset, version: run.spec.datasetVersion ?? 1)
        run.status = .running
        run.error = nil
        run.finishedAt = nil
        try await store.updateRun(run)
        try await record(
            "run.resume", tenant: tenant, actor: actor, target: id, ["done": "\(run.done)", "total": "\(run.total)"])
        try coordinator.start(run, items: items, plan: plan, runner: runner)
        return run
    }

    func cancel(_ id: String, tenant: String, by actor: String) async throws -> EvalRunRecord {
        _ = try await run(id, tenant: tenant)
        guard coordinator.cancel(id) else {
            throw PillarError.invalidRequest("The run \(id) is not going.", code: "run_not_running")
        }
        let ended = await coordinator.wait(id)
        try await record("run.cancel", tenant: tenant, actor: actor, target: id, [:])
        if let ended { return ended }
        return try await run(id, tenant: tenant)
    }

    // MARK: comparisons, baselines, gates

    func compare(tenant: String, baseline baselineID: String, candidate candidateID: String) async throws -> EvalComparison {
        let baseline = try await run(baselineID, tenant: tenant)
        let candidate = try await run(candidateID, tenant: tenant)
        let items = try await store.items(
            tenant: tenant, name: candidate.spec.dataset, version: candidate.spec.datasetVersion ?? 1)
        let baselineResults = try await store.results(runID: baseline.id, tenant: tenant)
        let candidateResults = try await store.results(runID: candidate.id, tenant: tenant)
        // The candidate's plan decides the judges; the baseline adds any metric only it scored.
        let candidatePlan = try ScoringPlan.make(candidate.spec)
        var metrics = candidatePlan.metrics
        for metric in try ScoringPlan.make(baseline.spec).metrics where !metrics.contains(where: { $0.name == metric.name }) {
            metrics.append(metric)
        }
        var judges: [String: EvalComparison.JudgeReliability] = [:]
        for judge in candidatePlan.judges {
            let prompt =
                candidate.versions.prompts.first { $0.name == judge.prompt.split(separator: "@").first.map(String.init) }
                .map { "\($0.name)@\($0.version)" } ?? judge.prompt
            judges[judge.metric] = JudgeAgreement.measure(
                metric: judge.metric, prompt: prompt, results: candidateResults,
                items: items, minimumAgreement: settings.minimumJudgeAgreement)
        }
        return EvalComparison.make(
            baseline: baseline, baselineResults: baselineResults, candidate: candidate,
            candidateResults: candidateResults, items: items, metrics: metrics, judges: judges)
    }

    func plotlyScript() -> String {
        guard let plotlyScriptPath else { return "" }
        return (try? String(contentsOfFile: plotlyScriptPath, encoding: .utf8)) ?? ""
    }

    func setBaseline(_ id: String, tenant: String, by actor: String) async throws -> EvalBaseline {
        let run = try await run(id, tenant: tenant)
        guard run.status == .completed else {
            throw PillarError.invalidRequest(
                "Only a completed run can be a baseline; \(id) is \(run.status.rawValue).",
                code: "run_not_completed")
        }
        let baseline = EvalBaseline(
            dataset: run.spec.dataset, flow: run.versions.flow.name, runID: run.id, setBy: actor,
            setAt: Date().timeIntervalSince1970)
        try await store.setBaseline(tenant: tenant, baseline)
        try await record(
            "baseline.set", tenant: tenant, actor: actor, target: "\(baseline.dataset)/\(baseline.flow)", ["run": id])
        return baseline
    }

    /// Holds a candidate run against a baseline run (or the baseline marked for its dataset and flow) under a
    /// requirement, records the verdict and returns it. Unfinished runs never pass.
    func gate(
        tenant: String, candidate candidateID: String, baseline baselineID: String?, requirement text: String,
        by actor: String
    ) async throws -> (EvalGateRecord, GateVerdict) {
        let requirement: GateRequirement
        do { requirement = try GateRequirement.parse(text) } catch {
            throw PillarError.invalidRequest(error.message, param: "require", code: error.code)
        }
        let candidate = try await run(candidateID, tenant: tenant)
        let baselineRun: String
        if let baselineID {
            baselineRun = baselineID
        } else if let marked = try await store.baseline(
            tenant: tenant, dataset: candidate.spec.dataset,
            flow: candidate.versions.flow.name)
        {
            baselineRun = marked.runID
        } else {
            throw PillarError.invalidRequest(
                "No baseline was given and none is marked for dataset '\(candidate.spec.dataset)' and flow '\(candidate.versions.flow.name)'.",
                param: "baseline", code: "no_baseline")
        }
        let comparison = try await compare(tenant: tenant, baseline: baselineRun, candidate: candidate.id)
        var verdict: GateVerdict
        do { verdict = try requirement.evaluate(comparison) } catch {
            throw PillarError.invalidRequest(error.message, param: "require", code: error.code)
        }
        let gate = EvalGateRecord(
            id: "gate_" + RandomHex.make(bytes: 8), tenant: tenant, dataset: candidate.spec.dataset,
            candidateRunID: candidate.id, baselineRunID: baselineRun, requirement: text,
            passed: verdict.passed, candidateVersions: candidate.versions,
            verdict: try JSONValue(encoding: verdict), createdBy: actor, createdAt: Date().timeIntervalSince1970)
        try await store.saveGate(gate)
        try await record(
            "gate", tenant: tenant, actor: actor, target: gate.id,
            ["candidate": candidate.id, "baseline": baselineRun, "passed": "\(verdict.passed)", "requirement": text])
        return (gate, verdict)
    }
}
