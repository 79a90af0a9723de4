import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import PillarCore
import PillarEval
import PillarFlows
import PillarGateway
import PillarMonitoring
import PillarRetrieval
import PillarStore
import Prometheus
import ServiceLifecycle

/// The composition root: opens storage, builds the gateway (starting the local model when no deployment is
/// configured), wires the routes, and last makes sure the default tenant's first admin key exists.
/// `childLauncher` (the `pillar` binary) starts the local model servers so that they die with this process.
public func buildApplication(
    _ configuration: PillarConfiguration,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    metricsRegistry: PrometheusCollectorRegistry = PrometheusMetricsFactory.defaultRegistry,
    childLauncher: ChildLauncher? = nil,
    logger: Logger,
    announce: @escaping @Sendable (String) -> Void = { print($0) }
) async throws -> some ApplicationProtocol {
    try configuration.validate()
    let fault = try injectedFault(environment, logger: logger)
    let database = try PillarDatabase(dataDirectory: configuration.server.dataDirectory, environment: environment)
    let tenants = SQLiteTenantRepository(database: database)
    let keys = SQLiteAPIKeyRepository(database: database)
    let turns = SQLiteTurnRepository(database: database)
    let audit = SQLiteAuditLog(database: database)
    let issuer = APIKeyIssuer(
        keys: keys, tenants: tenants,
        cacheLifetime: .milliseconds(Int64(configuration.server.apiKeyCacheSeconds * 1000)))
    _ = try await tenants.ensureTenant(Principal.platformTenant)

    let httpClient = ModelSetup.httpClient(for: configuration)
    let toolClient = OrchestrationSetup.makeToolClient()
    // Until the application's services own the clients, a start that fails (a missing secret, a bad certificate)
    // must shut them down itself: a client dropped while running is a crash, not an error message.
    do {
        let models = try ModelSetup(
            configuration: configuration, environment: environment, httpClient: httpClient,
            childLauncher: childLauncher, logger: logger)
        let gateway = models.gateway(configuration, logger: logger)

        let bodyReader = RequestBodyReader(maxBytes: configuration.server.maxBodyBytes)
        let enrolment = TenantEnrolment(repository: tenants)
        let signIn = try configuration.signIn.map { settings in
            guard let oidc = configuration.oidc.first(where: { $0.issuer == settings.issuer }) else {
                throw ConfigurationError(key: "signIn.issuer", "names no oidc entry")
            }
            return SignInService(
                settings: settings, oidc: oidc, clientSecret: try settings.clientSecret(environment: environment),
                repository: SQLiteSignInRepository(database: database), audit: audit, httpClient: httpClient,
                admit: { try await enrolment.admit($0) }, logger: logger)
        }
        let authentication = AuthenticationMiddleware(
            apiKeys: issuer,
            verifiers: configuration.oidc.map { OIDCVerifier(configuration: $0, httpClient: httpClient, logger: logger) },
            tenants: enrolment, signIn: signIn)
        let signInController = SignInController(service: signIn)

        let certificates = try configuration.server.tls.map {
            try TLSCertificates(certificateFile: $0.certificateFile, keyFile: $0.keyFile)
        }
        let router = Router(context: AppRequestContext.self)
        let routeMethods = RouteMethods()
        router.add(
            middleware: SecurityHeadersMiddleware(
                strictTransportSecurity: configuration.server.tls.flatMap {
                    $0.hstsSeconds > 0 ? "max-age=\($0.hstsSeconds)" : nil
                }))
        router.add(middleware: ErrorMiddleware(routes: routeMethods))
        router.add(middleware: TracingMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: LogRequestsMiddleware(.debug))
        router.add(middleware: PathCharacterCheck())
        router.add(middleware: FormEncodedQuery())
        router.add(middleware: VendorScriptMiddleware(file: configuration.plotlyScriptPath(environment: environment)))
        if let publicFolder = Bundle.module.resourceURL?.appendingPathComponent("Public").path {
            router.add(middleware: FileMiddleware(publicFolder, searchForIndexHtml: true, logger: logger))
        }
        HealthController(readiness: ReadinessProbe(database: database, gateway: gateway)).addRoutes(to: router)
        signInController.addRoutes(to: router)
        // Every route so far answers without credentials; every one after this sits behind authentication.
        let unauthenticatedRoutes = router.routes.map { route in
            let path = "\(route.path)"
            return path.hasPrefix("/") ? path : "/" + path
        }

        let authenticated = router.group().add(middleware: authentication)
        let limits = configuration.limits
        let admissionPolicy = AdmissionControl.Policy(
            defaultTenantLimits: limits.tenantDefault, tenants: limits.tenants,
            keys: limits.keys, defaultCompletionTokens: limits.defaultCompletionTokens)
        let admission = admissionPolicy.isEmpty ? nil : AdmissionControl(policy: admissionPolicy, ledger: turns)
        let evaluationPolicy = AdmissionControl.Policy(
            defaultTenantLimits: configuration.evaluation.budgetDefault,
            tenants: configuration.evaluation.budgets,
            defaultCompletionTokens: limits.defaultCompletionTokens)
        let evaluationAdmission =
            evaluationPolicy.isEmpty
            ? nil : AdmissionControl(policy: evaluationPolicy, ledger: SQLiteEvaluationLedger(database: database))
        let evaluations = SQLiteEvalRepository(database: database)
        let stale = try await evaluations.markRunningInterrupted()
        if stale > 0 { logger.notice("evaluation runs interrupted by the last stop", metadata: ["runs": "\(stale)"]) }
        let promotion = configuration.promotion
        let promotionApproval = EvalPromotionApproval(store: evaluations, audit: audit) { tenant in
            promotion.policy(for: tenant).requireEval
        }
        let v1 = authenticated.group("v1", context: AuthenticatedContext.self)
        signInController.addIdentityRoute(to: v1)
        let retrieval = try RetrievalSetup(
            configuration: configuration, database: database, gateway: gateway, turns: turns,
            fault: fault, logger: logger)
        let redaction = StorageRedaction(safety: configuration.safety, cipher: database.cipher)
        let gate = SafetyGate(
            safety: configuration.safety, redaction: redaction,
            remote: try RemoteContentClassifier(
                configuration.safety.remoteClassifier, environment: environment,
                client: httpClient),
            logger: logger)
        let quality = MonitoringSetup.intake(configuration)
        let orchestration = OrchestrationSetup(
            configuration: configuration, database: database, gateway: gateway,
            admission: admission, evaluationAdmission: evaluationAdmission,
            promotionApproval: promotionApproval, turns: turns, retriever: retrieval.retriever,
            redaction: redaction, gate: gate, quality: quality?.1, toolClient: toolClient, logger: logger)
        let dataProtection = SQLiteDataProtectionRepository(database: database)
        let qualityStore = SQLiteQualityRepository(database: database)
        let chatCompletions = ChatCompletionsController(
            gateway: gateway, admission: admission, prices: configuration.prices, turns: turns, bodyReader: bodyReader,
            flows: FlowCompletions(service: orchestration.service), flowLibrary: orchestration.flows, redaction: redaction,
            gate: gate, logger: logger)
        chatCompletions.addRoutes(to: v1)
        let embeddings = EmbeddingsController(
            gateway: gateway, admission: admission, prices: configuration.prices, turns: turns,
            redaction: redaction, bodyReader: bodyReader)
        embeddings.addRoutes(to: v1)
        AzureOpenAIController(chat: chatCompletions, embeddings: embeddings, deployments: configuration.azure.deployments)
            .addRoutes(to: authenticated.group("openai", context: AuthenticatedContext.self))
        ChatController(
            service: orchestration.service, conversations: orchestration.conversations, redaction: redaction,
            bodyReader: bodyReader
        )
        .addRoutes(to: v1)
        ConversationsController(conversations: orchestration.conversations, redaction: redaction, bodyReader: bodyReader)
            .addRoutes(to: v1)
        TracesController(traces: orchestration.traces, quality: qualityStore, turns: turns).addRoutes(to: v1)
        // Every admin route sits under /v1/admin: `admin` for a tenant's admins, `platform` for the platform's.
        let admin = authenticated.group("v1/admin", context: AdminContext.self)
        let platform = authenticated.group("v1/admin", context: PlatformAdminContext.self)
        DataProtectionController(
            store: dataProtection, traces: orchestration.traces, conversations: orchestration.conversations,
            audit: audit, redaction: redaction, bodyReader: bodyReader, quality: qualityStore
        )
        .addRoutes(user: v1, admin: admin)
        LibraryController(library: orchestration.prompts, audit: audit, bodyReader: bodyReader).addRoutes(
            to: admin.group("prompts"))
        LibraryController(library: orchestration.flows, audit: audit, bodyReader: bodyReader).addRoutes(to: admin.group("flows"))
        DocumentsController(
            repository: retrieval.repository, ingestor: retrieval.ingestor, retriever: retrieval.retriever,
            admission: admission, audit: audit, bodyReader: bodyReader,
            embeddingModel: configuration.retrieval.embeddingModel,
            samplesDirectory: configuration.samplesDirectory(environment: environment)
        )
        .addRoutes(to: v1)
        AdminController(
            issuer: issuer, keys: keys, turns: turns, usage: turns, gateway: gateway, audit: audit,
            chainCheck: AuditChainCheck(audit: audit), admission: admission, evaluationAdmission: evaluationAdmission,
            bodyReader: bodyReader,
            defaultCompletionTokens: limits.defaultCompletionTokens
        )
        .addRoutes(to: admin, platform: platform)
        let evaluationCoordinator = EvalRunCoordinator()
        let evaluation = EvaluationSetup(
            configuration: configuration, environment: environment, store: evaluations,
            coordinator: evaluationCoordinator, orchestration: orchestration,
            documents: retrieval.repository, feedback: dataProtection, redaction: redaction,
            audit: audit, logger: logger)
        EvaluationController(service: evaluation.service, bodyReader: bodyReader).addRoutes(to: admin.group("eval"))
        let monitoring = try MonitoringSetup(
            configuration: configuration, environment: environment, store: qualityStore,
            intake: quality?.0, orchestration: orchestration, embedder: retrieval.embedder,
            audit: audit, httpClient: httpClient, logger: logger)
        MonitorsController(board: monitoring.board, monitors: monitoring.monitors, alerts: monitoring.alerts)
            .addRoutes(to: admin.group("monitors"), platform: platform.group("monitors"))
        CanaryAnalysisController(
            analyses: monitoring.analyses, defaults: monitoring.canaryDefaults, bodyReader: bodyReader,
            enabled: configuration.monitoring.enabled
        )
        .addRoutes(prompts: admin.group("prompts"), flows: admin.group("flows"))
        let assurance = AssuranceSetup(
            configuration: configuration, environment: environment, database: database, tenants: tenants,
            keys: keys, audit: audit, evaluations: evaluations, quality: qualityStore, retrieval: retrieval,
            orchestration: orchestration, monitoring: monitoring, gateway: gateway,
            unauthenticatedRoutes: unauthenticatedRoutes, fault: fault, logger: logger)
        ReviewController(review: assurance.review, probe: assurance.probe, assurance: assurance.store, bodyReader: bodyReader)
            .addRoutes(to: platform)
        let metrics = MetricsController(registry: metricsRegistry)
        if configuration.server.metricsPort == nil {
            // Metrics carry every tenant's labels: only the platform's admins may read them.
            authenticated.group(context: PlatformAdminContext.self).get("metrics", use: metrics.render)
        }

        // Every route once, at debug level: what an operator can check, and what the hostile-input suite compares
        // its own list of routes with.
        for route in router.routes {
            logger.debug("route", metadata: ["method": "\(route.method)", "path": "\(route.path)"])
        }
        routeMethods.learn(router.routes.map { (method: "\($0.method)", path: "\($0.path)") })
        var app = Application(
            router: router,
            server: ConnectionPolicy(configuration.server).server(tls: certificates),
            configuration: .init(
                address: .hostname(configuration.server.host, port: configuration.server.port),
                serverName: "pillar"),
            logger: logger)
        for supervisor in models.localModels { app.addServices(supervisor) }
        if let certificates, let tls = configuration.server.tls {
            app.addServices(
                TLSReloadService(
                    certificates: certificates, interval: .milliseconds(Int64(tls.reloadSeconds * 1000)), logger: logger))
            if let redirectPort = tls.redirectPort {
                let redirects = Router()
                redirects.add(middleware: HTTPSRedirectMiddleware(httpsPort: configuration.server.port))
                app.addServices(
                    Application(
                        router: redirects, server: ConnectionPolicy(configuration.server).http1(),
                        configuration: .init(
                            address: .hostname(configuration.server.host, port: redirectPort), serverName: "pillar"),
                        logger: logger))
            }
        }
        app.addServices(
            VectorIndexService(
                vectors: retrieval.vectors, tenants: tenants,
                interval: .milliseconds(Int64(configuration.retrieval.persistIntervalSeconds * 1000)), logger: logger))
        app.addServices(
            RetentionService(
                safety: configuration.safety, tenants: tenants, store: dataProtection, audit: audit,
                logger: logger))
        if let port = configuration.server.metricsPort {
            let metricsRouter = Router()
            metricsRouter.get("metrics", use: metrics.render)
            app.addServices(
                Application(
                    router: metricsRouter,
                    configuration: .init(
                        address: .hostname(configuration.server.host, port: port),
                        serverName: "pillar-metrics"),
                    logger: logger))
        }
        app.addServices(EvaluationLifecycle(coordinator: evaluationCoordinator))
        app.addServices(HTTPClientService(client: httpClient), HTTPClientService(client: toolClient))
        // After the HTTP clients: services stop in reverse order, and alerts still queued at shutdown are delivered
        // over the shared client.
        for service in monitoring.services { app.addServices(service) }
        if configuration.monitoring.enabled, !configuration.monitoring.decay.isEmpty {
            app.addServices(
                DecayEvaluationService(
                    schedules: configuration.monitoring.decay, evaluations: evaluation.service,
                    store: evaluations, coordinator: evaluationCoordinator,
                    alerts: monitoring.alerts,
                    check: MonitoringSetup.duration(configuration.monitoring.evaluationIntervalSeconds),
                    logger: logger))
        }
        for service in assurance.services { app.addServices(service) }
        // Last, once nothing else can refuse to start (a secret not set, a certificate that does not load): a key
        // shown once must not be shown by a start that then fails.
        try await bootstrapDefaultTenant(
            issuer: issuer, keys: keys, tenants: tenants,
            bootstrapKey: environment["PILLAR_BOOTSTRAP_KEY"], announce: announce)
        return app
    } catch {
        try? await httpClient.shutdown()
        try? await toolClient.shutdown()
        throw error
    }
}

/// The test fault named by `PILLAR_TEST_FAULT`, if any, said loudly: it makes searches leak on purpose.
func injectedFault(_ environment: [String: String], logger: Logger) throws -> Retriever.InjectedFault? {
    guard let name = environment["PILLAR_TEST_FAULT"], !name.isEmpty else { return nil }
    guard let fault = Retriever.InjectedFault(rawValue: name) else {
        throw ConfigurationError(
            key: "PILLAR_TEST_FAULT", "must be one of \(Retriever.InjectedFault.allCases.map(\.rawValue).joined(separator: ", "))"
        )
    }
    logger.critical(
        "a test fault is injected: searches leak on purpose; never run this in production", metadata: ["fault": "\(name)"])
    return fault
}

/// On first start, the `default` tenant and its first admin key: the one in `PILLAR_BOOTSTRAP_KEY`, or a
/// new one printed once (and never logged).
func bootstrapDefaultTenant(
    issuer: APIKeyIssuer, keys: any APIKeyRepository, tenants: any TenantRepository,
    bootstrapKey: String?, announce: @Sendable (String) -> Void
) async throws {
    let platform = Principal.platformTenant
    _ = try await tenants.ensureTenant(platform)
    guard try await keys.countKeys(tenant: platform) == 0 else { return }
    let created = try await issuer.create(
        tenant: platform, name: "bootstrap admin", role: .admin,
        secret: bootstrapKey.flatMap { $0.isEmpty ? nil : $0 })
    if bootstrapKey?.isEmpty ?? true {
        announce(
            """
            Created the first admin API key of tenant 'default'. It is shown this once; store it now:
                \(created.secret)
            """)
    } else {
        announce("Created the first admin API key of tenant 'default' from PILLAR_BOOTSTRAP_KEY (id \(created.record.id)).")
    }
}

/// Shuts the shared HTTP client down after the server has drained.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
