import Hummingbird
import PillarCore
import PillarGateway

/// `/healthz`: the process answers. `/readyz`: the database answers and, for chat and for embeddings alike,
/// at least one deployment that offers it is reachable, so a load balancer sends traffic only to a replica
/// that can serve it (not while its chat model still loads behind a ready embedding model). Both are open without
/// credentials and say nothing beyond up or down.
struct HealthController: Sendable {
    let readiness: ReadinessProbe

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in try JSONResponse.make(["status": "ok"]) }
        router.get("readyz") { _, _ in
            let state = await readiness.check()
            return try JSONResponse.make(state, status: state.isReady ? .ok : .serviceUnavailable)
        }
    }
}

/// Readiness, remembered for a second: `/readyz` is open to anyone, and must not let them make Pillar call
/// its deployments as often as they like.
actor ReadinessProbe {
    struct State: Encodable, Sendable {
        var status: String
        var database: String
        var models: String
        var isReady: Bool { status == "ready" }

        enum CodingKeys: String, CodingKey { case status, database, models }
    }

    let database: any HealthCheckable
    let gateway: ModelGateway
    private var last: (state: State, at: ContinuousClock.Instant)?
    /// The probe under way, which concurrent callers wait for instead of starting their own.
    private var running: Task<State, Never>?
    static let reuseFor: Duration = .seconds(1)

    init(database: any HealthCheckable, gateway: ModelGateway) {
        self.database = database
        self.gateway = gateway
    }

    func check() async -> State {
        if let last, ContinuousClock.now - last.at < Self.reuseFor { return last.state }
        if let running { return await running.value }
        let database = self.database
        let gateway = self.gateway
        let probe = Task {
            let databaseReady = (try? await database.checkHealth()) != nil
            let modelsReady = await gateway.everyCapabilityReachable()
            return State(
                status: databaseReady && modelsReady ? "ready" : "not_ready",
                database: databaseReady ? "ok" : "unavailable", models: modelsReady ? "ok" : "unavailable")
        }
        running = probe
        let state = await probe.value
        last = (state, .now)
        running = nil
        return state
    }
}
