import Foundation
import PillarCore

/// Everything a review reads, gathered once: the running configuration, and what the database, the gateway
/// and the process say now. Checks are pure functions of it, so each is tested by building one.
struct ReviewInputs: Sendable {
    /// One deployment as the gateway sees it now.
    struct Deployment: Sendable, Hashable {
        var name: String
        var models: [String]
        var breaker: String
        var maxInFlight: Int?
        /// The embedded local model or embedder (a sidecar on this machine).
        var local: Bool
    }

    /// The last day of model calls across tenants (users' traffic; evaluation and probe calls left out).
    struct Traffic: Sendable, Hashable {
        var requests = 0
        var failed = 0
        var withoutCost = 0
        var latencyP95Ms: Double?
        var timeToFirstTokenP95Ms: Double?
    }

    var configuration: PillarConfiguration
    var now: Double
    var keys: [APIKeyRecord] = []
    var tenants: [String] = []
    /// nil when the chain could not be read.
    var audit: AuditVerification?
    var latestBackup: BackupRecord?
    var latestProbe: IsolationProbeRun?
    var loadTests: [LoadTestRecord] = []
    var baselines: [EvalBaseline] = []
    /// Each monitor scope's level (`ok`, `warning`, `alert`), by its key.
    var monitorStates: [String: String] = [:]
    var deployments: [Deployment] = []
    var traffic = Traffic()
    var masterKeySource = "PILLAR_MASTER_KEY"
    var unauthenticatedRoutes: [String] = []
    /// A test fault the process was started with (`PILLAR_TEST_FAULT`).
    var injectedFault: String?
    var otlpEndpoint: String?
    var documentCount = 0

    init(configuration: PillarConfiguration, now: Double = Date().timeIntervalSince1970) {
        self.configuration = configuration
        self.now = now
    }

    var activeKeys: [APIKeyRecord] { keys.filter { $0.revokedAt == nil && !ProbeTenant.isReserved($0.tenant) } }

    /// Models clients can ask for chat, and the deployments serving each (the embedding model left out).
    var chatModels: [String: [Deployment]] {
        var models: [String: [Deployment]] = [:]
        for deployment in deployments {
            for model in deployment.models where model != configuration.retrieval.embeddingModel {
                models[model, default: []].append(deployment)
            }
        }
        return models
    }

    var servedModels: Set<String> { Set(deployments.flatMap(\.models)) }

    static func days(_ seconds: Double) -> String { String(format: "%.1f days", seconds / 86_400) }
    static func hours(_ seconds: Double) -> String { String(format: "%.1f h", seconds / 3_600) }
}
