import Logging
import PillarCore
import Synchronization

/// The runs going on in this process: each is a task of its own, started, cancelled and awaited here. When
/// the server stops, every run still going is cancelled as `interrupted` and waited for, so its saved results
/// and its status agree and `resume` can finish it later.
public final class EvalRunCoordinator: Sendable {
    private struct Live {
        var task: Task<EvalRunRecord, Never>
        var reason: EvalRunner.StopReason
    }

    private let live = Mutex<[String: Live]>([:])

    public init() {}

    public func isRunning(_ id: String) -> Bool { live.withLock { $0[id] != nil } }

    /// Starts `run` (which the caller has saved as `running`) on `runner`; a run already going is refused.
    @discardableResult
    public func start(_ run: EvalRunRecord, items: [EvalItem], plan: ScoringPlan, runner: EvalRunner) throws(PillarError)
        -> Task<EvalRunRecord, Never>
    {
        try live.withLock { (runs: inout [String: Live]) throws(PillarError) -> Task<EvalRunRecord, Never> in
            guard runs[run.id] == nil else {
                throw PillarError.invalidRequest("The run \(run.id) is already going.", code: "run_in_progress")
            }
            let id = run.id
            let task = Task<EvalRunRecord, Never> {
                let ended = await runner.execute(run, items: items, plan: plan) { [weak self] in
                    self?.live.withLock { $0[id]?.reason } ?? .interrupted
                }
                self.live.withLock { _ = $0.removeValue(forKey: id) }
                return ended
            }
            runs[id] = Live(task: task, reason: .interrupted)
            return task
        }
    }

    /// Cancels a run that is going; false when it is not.
    public func cancel(_ id: String) -> Bool {
        live.withLock { runs in
            guard runs[id] != nil else { return false }
            runs[id]?.reason = .cancelled
            runs[id]?.task.cancel()
            return true
        }
    }

    /// Waits for a run that is going to end.
    public func wait(_ id: String) async -> EvalRunRecord? {
        guard let task = live.withLock({ $0[id]?.task }) else { return nil }
        return await task.value
    }

    /// Interrupts every run and waits until each has saved how it ended.
    public func interruptAll() async {
        let tasks = live.withLock { runs in runs.values.map(\.task) }
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.value }
    }
}
