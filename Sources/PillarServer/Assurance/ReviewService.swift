import Foundation
import PillarCore
import PillarGateway
import PillarMonitoring
import PillarRetrieval
import PillarStore

/// Gathers what a review reads (configuration, database, gateway, process) and runs every check on it.
struct ReviewService: Sendable {
    let configuration: PillarConfiguration
    let environment: [String: String]
    let keys: any APIKeyRepository
    let tenants: any TenantRepository
    let audit: any AuditLog
    let assurance: any AssuranceRepository
    let evaluations: any EvalRepository
    let quality: any QualityRepository
    let queries: SQLiteReviewQueries
    let gateway: ModelGateway
    let masterKeySource: String
    let unauthenticatedRoutes: [String]
    let injectedFault: Retriever.InjectedFault?
    static let version = "0.20"

    func review(now: Double = Date().timeIntervalSince1970) async throws -> ReviewReport {
        ReviewCatalogue.run(try await inputs(now: now), version: Self.version)
    }

    func inputs(now: Double) async throws -> ReviewInputs {
        var inputs = ReviewInputs(configuration: configuration, now: now)
        inputs.keys = try await keys.listKeys(tenant: nil)
        let tenantIDs = try await tenants.listTenants().map(\.id)
        inputs.tenants = tenantIDs
        inputs.audit = try? await audit.verify()
        inputs.latestBackup = try await assurance.latestBackup()
        inputs.latestProbe = try await assurance.latestProbeRun()
        inputs.loadTests = try await assurance.loadTests(limit: 100)
        for tenant in tenantIDs where !ProbeTenant.isReserved(tenant) {
            inputs.baselines += try await evaluations.baselines(tenant: tenant)
        }
        for (key, state) in try await quality.monitorStates() {
            if let decoded = try? JSONDecoder().decode(MonitorState.self, from: Data(state.utf8)) {
                inputs.monitorStates[key] = decoded.level.rawValue
            }
        }
        let configured = Set(configuration.deployments.map(\.name))
        inputs.deployments = gateway.pool.snapshot().map {
            .init(
                name: $0.name, models: $0.models, breaker: $0.breaker, maxInFlight: $0.maxInFlight,
                local: !configured.contains($0.name))
        }
        let traffic = try await queries.traffic(since: now - 86_400)
        inputs.traffic = .init(
            requests: traffic.requests, failed: traffic.failed, withoutCost: traffic.withoutCost,
            latencyP95Ms: traffic.latencyP95Ms, timeToFirstTokenP95Ms: traffic.timeToFirstTokenP95Ms)
        inputs.documentCount = try await queries.documentCount()
        inputs.masterKeySource = masterKeySource
        inputs.unauthenticatedRoutes = unauthenticatedRoutes
        inputs.injectedFault = injectedFault?.rawValue
        inputs.otlpEndpoint = environment["OTEL_EXPORTER_OTLP_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        return inputs
    }
}
