import Logging
import PillarCore
import ServiceLifecycle

/// Runs the isolation probe every interval, and at once when asked (`POST /v1/admin/isolation-probe`). Rounds
/// never overlap: one asked for while another runs waits for it.
actor IsolationProbeRunner {
    let probe: IsolationProbe
    private var rounds = 0
    private var running: Task<IsolationProbeRun, Never>?

    init(probe: IsolationProbe) { self.probe = probe }

    func runRound() async -> IsolationProbeRun {
        while let current = running { _ = await current.value }
        rounds += 1
        let number = rounds
        let task = Task { await probe.round(number: number) }
        running = task
        let run = await task.value
        running = nil
        return run
    }
}

struct IsolationProbeService: Service {
    let runner: IsolationProbeRunner
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // The first round comes soon after the start (the indexes and models load first), so a review has
            // evidence within a minute; then one every interval.
            var wait = min(interval, .seconds(30))
            while !Task.isCancelled {
                try? await Task.sleep(for: wait)
                if Task.isCancelled { break }
                _ = await runner.runRound()
                wait = interval
            }
        }
    }
}
