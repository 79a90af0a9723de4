import Foundation
import Logging
import Metrics
import PillarCore

/// How canary analysis reads and moves a label's split: the prompt or flow library, with its own checks
/// (a version must exist; a tenant that requires evaluation lets into `production` only gated versions).
public protocol CanaryLabels: Sendable {
    /// The label's split now; nil when the label does not exist.
    func split(tenant: String, kind: LibraryKind, name: String, label: String) async throws -> [WeightedVersion]?
    func setSplit(
        tenant: String, kind: LibraryKind, name: String, label: String, split: [WeightedVersion],
        by: String) async throws
}

/// Starts, stops and advances canary analyses. Every decision moves the label's split through the library,
/// is stored with the analysis (so a restart resumes where it was), audited with its evidence, and, when it
/// promotes, rolls back or pauses, sent as an alert.
public struct CanaryAnalyses: Sendable {
    public static let actor = "canary-analysis"
    let store: any QualityRepository
    let labels: any CanaryLabels
    let canaries: ActiveCanaries
    let health: JudgeHealth
    let audit: any AuditLog
    let alerts: AlertDispatcher?
    /// The share of the label's answers judged while the analysis runs.
    let samplingRate: Double
    let logger: Logger
    /// Every change of an analysis and its label, one at a time (within this process; see docs/architecture.md).
    let lock = SerialLock()

    public init(
        store: any QualityRepository, labels: any CanaryLabels, canaries: ActiveCanaries, health: JudgeHealth,
        audit: any AuditLog, alerts: AlertDispatcher?, samplingRate: Double, logger: Logger
    ) {
        self.store = store
        self.labels = labels
        self.canaries = canaries
        self.health = health
        self.audit = audit
        self.alerts = alerts
        self.samplingRate = samplingRate
        self.logger = logger
    }

    /// An analysis with its spec and state decoded.
    public struct Analysis: Sendable {
        public var record: StoredCanaryAnalysis
        public var spec: CanaryAnalysisSpec
        public var state: CanaryAnalysisState
    }

    public func decode(_ record: StoredCanaryAnalysis) throws -> Analysis {
        let decoder = JSONDecoder()
        return Analysis(
            record: record, spec: try decoder.decode(CanaryAnalysisSpec.self, from: Data(record.spec.utf8)),
            state: try decoder.decode(CanaryAnalysisState.self, from: Data(record.state.utf8)))
    }

    /// Splits the label between the version it serves now and `candidate` at the first step's weight.
    public func start(
        tenant: String, kind: LibraryKind, name: String, label: String, candidate: Int,
        spec requested: CanaryAnalysisSpec, by actor: String, at moment: Date = Date()
    ) async throws -> Analysis {
        try await lock.withLock {
            try await unlockedStart(
                tenant: tenant, kind: kind, name: name, label: label, candidate: candidate,
                spec: requested, by: actor, at: moment)
        }
    }

    func unlockedStart(
        tenant: String, kind: LibraryKind, name: String, label: String, candidate: Int,
        spec requested: CanaryAnalysisSpec, by actor: String, at moment: Date
    ) async throws -> Analysis {
        let spec: CanaryAnalysisSpec
        do { spec = try requested.validated() } catch {
            throw PillarError.invalidRequest(error.message, code: error.code)
        }
        if let running = try await store.latestAnalysis(tenant: tenant, kind: kind, name: name, label: label), running.isActive {
            throw PillarError(
                .conflict, code: "analysis_running",
                message: "The label '\(label)' of '\(name)' already has an analysis running (\(running.id)); abort it first.")
        }
        guard let current = try await labels.split(tenant: tenant, kind: kind, name: name, label: label) else {
            throw PillarError.notFound("'\(name)' has no label '\(label)'.")
        }
        let serving = current.filter { $0.weight > 0 }
        guard serving.count == 1, let stable = serving.first?.version else {
            throw PillarError(
                .conflict, code: "label_already_split",
                message:
                    "The label '\(label)' of '\(name)' is split (\(current.map { "\($0.version):\($0.weight)" }.joined(separator: ","))); point it at one version before starting an analysis."
            )
        }
        guard stable != candidate else {
            throw PillarError.invalidRequest("The label '\(label)' already serves version \(candidate).", param: "candidate")
        }
        let state = CanaryAnalysisState.started(spec: spec, at: moment)
        try await labels.setSplit(
            tenant: tenant, kind: kind, name: name, label: label,
            split: Self.split(stable: stable, candidate: candidate, weight: state.weight), by: actor)
        let encoder = Self.encoder
        let record = StoredCanaryAnalysis(
            id: "can_" + RandomHex.make(bytes: 8), tenant: tenant, kind: kind, name: name, label: label,
            stableVersion: stable, candidateVersion: candidate, status: state.status.rawValue,
            spec: String(decoding: try encoder.encode(spec), as: UTF8.self),
            state: String(decoding: try encoder.encode(state), as: UTF8.self), startedBy: actor,
            createdAt: moment.timeIntervalSince1970, updatedAt: moment.timeIntervalSince1970)
        try await store.saveAnalysis(record)
        canaries.set(tenant: tenant, kind: kind, name: name, label: label, rate: samplingRate)
        try await audit.append(
            tenant: tenant, actor: actor, action: "\(kind.rawValue).analysis.start", target: name,
            details: [
                "analysis": record.id, "label": label, "stable": "\(stable)", "candidate": "\(candidate)",
                "steps": spec.steps.map(String.init).joined(separator: ","), "interval_seconds": "\(spec.intervalSeconds)",
                "failure_limit": "\(spec.failureLimit)",
            ])
        Gauge(label: "pillar_canary_weight", dimensions: Self.dimensions(record)).record(Double(state.weight))
        return Analysis(record: record, spec: spec, state: state)
    }

    /// Stops an analysis and returns the label to the stable version.
    public func abort(
        tenant: String, kind: LibraryKind, name: String, label: String, by actor: String,
        at moment: Date = Date()
    ) async throws -> Analysis {
        try await lock.withLock {
            try await unlockedAbort(tenant: tenant, kind: kind, name: name, label: label, by: actor, at: moment)
        }
    }

    func unlockedAbort(
        tenant: String, kind: LibraryKind, name: String, label: String, by actor: String,
        at moment: Date
    ) async throws -> Analysis {
        guard let record = try await store.latestAnalysis(tenant: tenant, kind: kind, name: name, label: label), record.isActive
        else {
            throw PillarError.notFound("The label '\(label)' of '\(name)' has no analysis running.")
        }
        var analysis = try decode(record)
        let (state, decision) = analysis.state.aborted(at: moment, reason: "aborted by \(actor)")
        analysis.state = state
        try await labels.setSplit(
            tenant: tenant, kind: kind, name: name, label: label,
            split: [WeightedVersion(version: record.stableVersion, weight: 100)], by: actor)
        return try await save(analysis, decision: decision, by: actor, at: moment)
    }

    public func latest(tenant: String, kind: LibraryKind, name: String, label: String) async throws -> Analysis? {
        try await store.latestAnalysis(tenant: tenant, kind: kind, name: name, label: label).map(decode)
    }

    /// Marks the active analyses' labels for extra sampling again (after a restart).
    public func restore() async throws -> Int {
        let active = try await store.activeAnalyses()
        for record in active {
            canaries.set(tenant: record.tenant, kind: record.kind, name: record.name, label: record.label, rate: samplingRate)
        }
        return active.count
    }

    /// Looks at every active analysis as of `moment`.
    public func tickAll(at moment: Date) async {
        let active: [StoredCanaryAnalysis]
        do { active = try await store.activeAnalyses() } catch {
            logger.error("canary analyses could not be read", metadata: ["error": "\(error)"])
            return
        }
        for record in active {
            do {
                try await lock.withLock {
                    // Read again under the lock: an abort may have ended it since the list was read.
                    guard let current = try await store.analysis(id: record.id, tenant: record.tenant), current.isActive else {
                        return
                    }
                    try await tick(current, at: moment)
                }
            } catch {
                logger.error("canary analysis step failed", metadata: ["analysis": "\(record.id)", "error": "\(error)"])
            }
        }
    }

    func tick(_ record: StoredCanaryAnalysis, at moment: Date) async throws {
        var analysis = try decode(record)
        let expected = Self.split(stable: record.stableVersion, candidate: record.candidateVersion, weight: analysis.state.weight)
        let current = try await labels.split(tenant: record.tenant, kind: record.kind, name: record.name, label: record.label)
        guard Self.same(current ?? [], expected) else {
            // Someone moved the label by hand: the analysis no longer knows what it compares.
            let (state, decision) = analysis.state.aborted(at: moment, reason: "the label was changed outside the analysis")
            analysis.state = state
            _ = try await save(analysis, decision: decision, by: Self.actor, at: moment)
            return
        }
        let (stable, candidate) = try await samples(for: record, since: analysis.state.stepStartedAt, until: moment)
        let (state, decision) = analysis.state.ticked(
            spec: analysis.spec, now: moment, stable: stable, candidate: candidate,
            judgeAvailable: health.isAvailable(tenant: record.tenant))
        guard let decision else { return }
        if state.weight != analysis.state.weight {
            try await labels.setSplit(
                tenant: record.tenant, kind: record.kind, name: record.name, label: record.label,
                split: Self.split(
                    stable: record.stableVersion, candidate: record.candidateVersion,
                    weight: state.weight),
                by: Self.actor)
        }
        analysis.state = state
        _ = try await save(analysis, decision: decision, by: Self.actor, at: moment)
    }

    /// The answers each side gave on the label since the step began.
    func samples(
        for record: StoredCanaryAnalysis, since start: Date,
        until moment: Date
    ) async throws -> (stable: [QualitySample], candidate: [QualitySample]) {
        let all = try await store.samples(
            QualitySampleQuery(
                tenant: record.tenant, flow: record.kind == .flow ? record.name : nil,
                from: start.timeIntervalSince1970, to: moment.timeIntervalSince1970 + 1))
        var stable: [QualitySample] = []
        var candidate: [QualitySample] = []
        for sample in all {
            let version: Int?
            switch record.kind {
            case .flow:
                version = sample.label == record.label ? sample.flowVersion : nil
            case .prompt:
                version = sample.prompts.first { $0.name == record.name && $0.label == record.label }?.version
            }
            if version == record.stableVersion { stable.append(sample) }
            if version == record.candidateVersion { candidate.append(sample) }
        }
        return (stable, candidate)
    }

    func save(_ analysis: Analysis, decision: CanaryDecision, by actor: String, at moment: Date) async throws -> Analysis {
        var record = analysis.record
        record.status = analysis.state.status.rawValue
        record.state = String(decoding: try Self.encoder.encode(analysis.state), as: UTF8.self)
        record.updatedAt = moment.timeIntervalSince1970
        try await store.saveAnalysis(record)
        if !record.isActive {
            canaries.set(tenant: record.tenant, kind: record.kind, name: record.name, label: record.label, rate: nil)
        }
        Gauge(label: "pillar_canary_weight", dimensions: Self.dimensions(record)).record(Double(analysis.state.weight))
        let evidence = String(decoding: (try? Self.evidenceEncoder.encode(decision.evidence)) ?? Data("[]".utf8), as: UTF8.self)
        try await audit.append(
            tenant: record.tenant, actor: actor, action: "\(record.kind.rawValue).analysis.\(decision.action.rawValue)",
            target: record.name,
            details: [
                "analysis": record.id, "label": record.label, "stable": "\(record.stableVersion)",
                "candidate": "\(record.candidateVersion)", "from_weight": "\(decision.fromWeight)",
                "to_weight": "\(decision.toWeight)", "failures": "\(decision.failures)",
                "reason": decision.reason, "evidence": evidence,
            ])
        logger.notice(
            "canary analysis decided",
            metadata: [
                "analysis": "\(record.id)", "tenant": "\(record.tenant)", "name": "\(record.name)", "label": "\(record.label)",
                "action": "\(decision.action.rawValue)", "weight": "\(decision.toWeight)", "reason": "\(decision.reason)",
            ])
        if let kind = Self.alertKind(decision.action) {
            _ = alerts?.enqueue(
                AlertEvent(
                    id: RandomHex.make(bytes: 12), kind: kind, dedupKey: "canary:\(record.id):\(decision.action.rawValue)",
                    tenant: record.tenant, occurredAt: moment, severity: decision.action == .promote ? "info" : "alert",
                    summary:
                        "Canary of \(record.kind.rawValue) '\(record.name)' label '\(record.label)' (v\(record.candidateVersion) against v\(record.stableVersion)): \(decision.action.rawValue). \(decision.reason)",
                    details: [
                        "analysis": record.id, "kind": record.kind.rawValue, "name": record.name, "label": record.label,
                        "stable": "\(record.stableVersion)", "candidate": "\(record.candidateVersion)",
                        "action": decision.action.rawValue, "weight": "\(decision.toWeight)", "evidence": evidence,
                    ]))
        }
        return analysis
    }

    static func alertKind(_ action: CanaryDecision.Action) -> AlertEvent.Kind? {
        switch action {
        case .promote: .canaryPromoted
        case .rollback: .canaryRolledBack
        case .pause: .canaryPaused
        default: nil
        }
    }

    static func split(stable: Int, candidate: Int, weight: Int) -> [WeightedVersion] {
        switch weight {
        case ...0: [WeightedVersion(version: stable, weight: 100)]
        case 100...: [WeightedVersion(version: candidate, weight: 100)]
        default: [WeightedVersion(version: stable, weight: 100 - weight), WeightedVersion(version: candidate, weight: weight)]
        }
    }

    static func same(_ left: [WeightedVersion], _ right: [WeightedVersion]) -> Bool {
        func normal(_ split: [WeightedVersion]) -> [WeightedVersion] {
            split.filter { $0.weight > 0 }.sorted { $0.version < $1.version }
        }
        return normal(left) == normal(right)
    }

    static func dimensions(_ record: StoredCanaryAnalysis) -> [(String, String)] {
        [("tenant", record.tenant), ("kind", record.kind.rawValue), ("name", record.name), ("label", record.label)]
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// Evidence in the audit log and the alerts reads like the API's JSON: snake_case keys.
    static var evidenceEncoder: JSONEncoder {
        let encoder = encoder
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }
}
