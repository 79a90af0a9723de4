import Hummingbird
import PillarCore
import PillarGateway

/// `/healthz`: the process answers. `/readyz`: the database answers and at least one model deployment is
/// reachable, so a load balancer sends traffic only to a replica that can serve it. Both are open without
/// credentials and say nothing beyond up or down.
struct HealthController: Sendable {
    let database: any HealthCheckable
    let gateway: ModelGateway

    struct Readiness: Encodable {
        var status: String
        var database: String
        var models: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in try JSONResponse.make(["status": "ok"]) }
        router.get("readyz") { _, _ in
            let databaseReady = (try? await database.checkHealth()) != nil
            let modelsReady = await gateway.anyDeploymentReachable()
            let ready = databaseReady && modelsReady
            return try JSONResponse.make(
                Readiness(status: ready ? "ready" : "not_ready", database: databaseReady ? "ok" : "unavailable",
                          models: modelsReady ? "ok" : "unavailable"),
                status: ready ? .ok : .serviceUnavailable)
        }
    }
}
