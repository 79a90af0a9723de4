import Logging
import PillarCore
import PillarGateway
import PillarMonitoring
import PillarRetrieval
import PillarStore
import ServiceLifecycle

/// Assurance, wired once: the review over the server's own parts, and the isolation probe (when on) with the
/// service that runs it on a schedule.
struct AssuranceSetup {
    let store: any AssuranceRepository
    let review: ReviewService
    let probe: IsolationProbeRunner?
    let services: [any Service]

    init(
        configuration: PillarConfiguration, environment: [String: String], database: PillarDatabase,
        tenants: any TenantRepository, keys: any APIKeyRepository, audit: any AuditLog, evaluations: any EvalRepository,
        quality: any QualityRepository, retrieval: RetrievalSetup, orchestration: OrchestrationSetup, monitoring: MonitoringSetup,
        gateway: ModelGateway, unauthenticatedRoutes: [String], fault: Retriever.InjectedFault?, logger: Logger
    ) {
        let store = SQLiteAssuranceRepository(database: database)
        let settings = configuration.assurance.isolationProbe
        let probe =
            settings.enabled
            ? IsolationProbeRunner(
                probe: IsolationProbe(
                    tenants: tenants, ingestor: retrieval.ingestor, retriever: retrieval.retriever,
                    flows: settings.askFlows ? orchestration.probeService : nil, flowName: settings.flow,
                    flowTenantsPerRound: settings.flowTenantsPerRound, store: store, audit: audit, alerts: monitoring.alerts,
                    logger: logger)) : nil
        self.store = store
        self.probe = probe
        review = ReviewService(
            configuration: configuration, environment: environment, keys: keys, tenants: tenants, audit: audit,
            assurance: store, evaluations: evaluations, quality: quality,
            queries: SQLiteReviewQueries(database: database), gateway: gateway,
            masterKeySource: database.masterKeySource, unauthenticatedRoutes: unauthenticatedRoutes,
            injectedFault: fault)
        services =
            probe.map { [IsolationProbeService(runner: $0, interval: MonitoringSetup.duration(settings.intervalSeconds))] } ?? []
    }
}
