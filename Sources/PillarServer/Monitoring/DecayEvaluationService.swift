import Foundation
import Logging
import PillarCore
import PillarEval
import PillarMonitoring
import ServiceLifecycle

/// Model decay, caught on a schedule: each configured dataset is run against its flow label every
/// `everySeconds` and gated against the dataset's baseline run for the flow. A failing gate (or one that
/// cannot be evaluated) is an alert. When a schedule is due is read from the runs it made before, so a
/// restart neither skips nor repeats one.
struct DecayEvaluationService: Service {
    static let actor = "decay-evaluation"
    let schedules: [PillarConfiguration.Decay]
    let evaluations: EvaluationService
    let store: any EvalRepository
    let coordinator: EvalRunCoordinator
    let alerts: AlertDispatcher
    let check: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    init(
        schedules: [PillarConfiguration.Decay], evaluations: EvaluationService, store: any EvalRepository,
        coordinator: EvalRunCoordinator, alerts: AlertDispatcher, check: Duration = .seconds(30),
        now: @escaping @Sendable () -> Date = Date.init, logger: Logger
    ) {
        self.schedules = schedules
        self.evaluations = evaluations
        self.store = store
        self.coordinator = coordinator
        self.alerts = alerts
        self.check = check
        self.now = now
        self.logger = logger
    }

    func run() async throws {
        // A service that returns early would stop the whole group.
        guard !schedules.isEmpty else { return try await gracefulShutdown() }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for schedule in schedules where !Task.isCancelled {
                    await runIfDue(schedule)
                }
                try? await Task.sleep(for: check)
            }
        }
    }

    func flowReference(_ schedule: PillarConfiguration.Decay) -> String { "\(schedule.flow)@\(schedule.label)" }

    /// The newest run this schedule started, if any.
    func lastRun(_ schedule: PillarConfiguration.Decay) async throws -> EvalRunRecord? {
        try await store.runs(tenant: schedule.tenant, dataset: schedule.dataset, limit: 200)
            .filter { $0.createdBy == Self.actor && $0.spec.flow == flowReference(schedule) }
            .max { $0.createdAt < $1.createdAt }
    }

    func runIfDue(_ schedule: PillarConfiguration.Decay) async {
        do {
            let last = try await lastRun(schedule)
            if let last, last.createdAt + Double(schedule.everySeconds) > now().timeIntervalSince1970 { return }
            // Without a baseline there is nothing to decay from: the schedule waits for one (set with
            // `pillar eval baseline`), and says so (the dispatcher sends the same warning once per five minutes).
            guard try await store.baseline(tenant: schedule.tenant, dataset: schedule.dataset, flow: schedule.flow) != nil else {
                raise(
                    schedule, severity: "warning", run: nil,
                    summary:
                        "The scheduled evaluation of \(schedule.dataset) on \(flowReference(schedule)) waits for a baseline run of the dataset on flow \(schedule.flow)",
                    details: [:])
                return
            }
            let spec = EvalRunSpec(
                dataset: schedule.dataset, flow: flowReference(schedule),
                note: "scheduled decay evaluation (every \(schedule.everySeconds)s)")
            let started = try await evaluations.startRun(spec, tenant: schedule.tenant, by: Self.actor)
            _ = await coordinator.wait(started.id)
            // Read it back: a run that ended before the wait began is only in the store.
            let ended = try await store.run(id: started.id, tenant: schedule.tenant) ?? started
            guard ended.status == .completed else {
                raise(
                    schedule, severity: "warning", run: ended.id,
                    summary:
                        "The scheduled evaluation of \(schedule.dataset) on \(flowReference(schedule)) ended \(ended.status.rawValue): \(ended.error ?? "no reason given")",
                    details: [:])
                return
            }
            let (gate, verdict) = try await evaluations.gate(
                tenant: schedule.tenant, candidate: ended.id, baseline: nil,
                requirement: schedule.gate, by: Self.actor)
            logger.notice(
                "decay evaluation gated",
                metadata: [
                    "tenant": "\(schedule.tenant)", "dataset": "\(schedule.dataset)", "run": "\(ended.id)",
                    "gate": "\(gate.id)", "passed": "\(verdict.passed)",
                ])
            guard !verdict.passed else { return }
            let failing = verdict.clauses.filter { !$0.passed }.map(\.message).joined(separator: "; ")
            raise(
                schedule, severity: "alert", run: ended.id,
                summary:
                    "Decay: \(schedule.dataset) on \(flowReference(schedule)) fails its gate against the baseline: \(failing)",
                details: ["gate": gate.id, "baseline": gate.baselineRunID, "requirement": schedule.gate])
        } catch {
            let message = PillarError.summary(of: error)
            logger.error(
                "decay evaluation failed",
                metadata: [
                    "tenant": "\(schedule.tenant)", "dataset": "\(schedule.dataset)",
                    "error": "\(message)",
                ])
            raise(
                schedule, severity: "warning", run: nil,
                summary:
                    "The scheduled evaluation of \(schedule.dataset) on \(flowReference(schedule)) could not run: \(message)",
                details: [:])
        }
    }

    func raise(_ schedule: PillarConfiguration.Decay, severity: String, run: String?, summary: String, details: [String: String])
    {
        var details = details
        details["dataset"] = schedule.dataset
        details["flow"] = flowReference(schedule)
        if let run { details["run"] = run }
        alerts.enqueue(
            AlertEvent(
                id: RandomHex.make(bytes: 12), kind: .decay,
                dedupKey: "decay:\(schedule.dataset):\(flowReference(schedule))", tenant: schedule.tenant,
                occurredAt: now(), severity: severity, summary: summary, details: details))
    }
}
