import AsyncHTTPClient
import Foundation
import Logging
import PillarCore
import PillarGateway
import PillarStore
import ServiceLifecycle

/// The grounding-data parts outside the server, for `pillar ingest`: the same storage, gateway and
/// embedder as `pillar serve` (the embedded embedding model is started for the run when it is the one
/// configured), torn down when `body` returns. The chat model is not started.
public func withOfflineRetrieval<T: Sendable>(
    _ configuration: PillarConfiguration, tenant: String,
    environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger,
    _ body: @Sendable (RetrievalSetup) async throws -> T
) async throws -> T {
    var configuration = configuration
    configuration.localModel.mode = .off
    try configuration.validate()
    guard Tenant.isValidID(tenant) else {
        throw ConfigurationError(key: "--tenant", "must be 1-64 characters of a-z, 0-9, - and _")
    }
    let database = try PillarDatabase(dataDirectory: configuration.server.dataDirectory)
    let turns = SQLiteTurnRepository(database: database)
    _ = try await SQLiteTenantRepository(database: database).ensureTenant(tenant)

    let httpClient = ModelSetup.httpClient(for: configuration)
    do {
        let models = try ModelSetup(
            configuration: configuration, environment: environment, httpClient: httpClient, logger: logger)
        let gateway = models.gateway(configuration, logger: logger)
        let retrieval = try RetrievalSetup(
            configuration: configuration, database: database, gateway: gateway,
            turns: turns, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: models.localModels.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let running = Task { try await group.run() }
        let outcome: Result<T, any Error>
        do {
            for supervisor in models.localModels {
                let deadline = ContinuousClock.now + .seconds(120)
                while await supervisor.state != .ready {
                    guard ContinuousClock.now < deadline else {
                        throw SupervisorError(
                            "the local embedding model did not start; see the llama-server log in the data directory")
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let result = try await body(retrieval)
            // Save the vector index so the next `pillar serve` loads it instead of rebuilding it.
            try await retrieval.vectors.persist(tenant: tenant)
            outcome = .success(result)
        } catch {
            outcome = .failure(error)
        }
        // However the run ended, stop llama-server before this process exits, or it would outlive it.
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        try await httpClient.shutdown()
        return try outcome.get()
    } catch {
        try? await httpClient.shutdown()
        throw error
    }
}
