import AsyncHTTPClient
import Foundation
import Logging
import PillarCore
import PillarEval
import PillarGateway
import PillarMonitoring
import PillarRetrieval
import ServiceLifecycle

/// Production quality, wired once: the intake the flow service reports into (made first, since the flow
/// service is built with it), then the online evaluator, the monitors, canary analyses and alert delivery,
/// all as services off the request path.
struct MonitoringSetup {
    let store: any QualityRepository
    let board: MonitorBoard
    let analyses: CanaryAnalyses
    let alerts: AlertDispatcher
    let monitors: [MonitorSpec]
    let canaryDefaults: CanaryAnalysisSpec
    let services: [any Service]

    /// What the flow service needs to report answers, or nil when monitoring is off.
    static func intake(_ configuration: PillarConfiguration) -> (QualityIntake, QualityReporter)? {
        guard configuration.monitoring.enabled else { return nil }
        let intake = QualityIntake(limit: configuration.monitoring.queueLimit)
        return (intake, QualityReporter(intake: intake, prices: configuration.prices))
    }

    init(
        configuration: PillarConfiguration, environment: [String: String], store: any QualityRepository,
        intake: QualityIntake?, orchestration: OrchestrationSetup, embedder: any Embedder, audit: any AuditLog,
        httpClient: HTTPClient, logger: Logger
    ) throws {
        let settings = configuration.monitoring
        self.store = store
        monitors = try settings.monitorSpecs()
        canaryDefaults = settings.canaryDefaults
        board = MonitorBoard()
        var alertLogger = logger
        alertLogger[metadataKey: "component"] = "alerts"
        alerts = AlertDispatcher(
            endpoints: try Self.endpoints(settings.webhooks, environment: environment),
            transport: HTTPWebhookTransport(client: httpClient), logger: alertLogger)
        let health = JudgeHealth()
        let canaries = ActiveCanaries()
        analyses = CanaryAnalyses(
            store: store, labels: LibraryCanaryLabels(prompts: orchestration.prompts, flows: orchestration.flows),
            canaries: canaries, health: health, audit: audit, alerts: alerts,
            samplingRate: settings.canary.samplingRate, logger: logger)
        var services: [any Service] = [AlertDispatcherService(dispatcher: alerts)]
        if let intake {
            let judge = LibraryJudge(
                prompts: orchestration.prompts, models: orchestration.evaluationModels,
                defaultModel: settings.judgeModel ?? configuration.evaluation.judgeModel ?? orchestration.defaultModel,
                prices: configuration.prices)
            let embedQuery: OnlineEvaluator.EmbedQuery = { text, tenant in
                let caller = ModelGateway.Caller(tenant: tenant, subject: LibraryAnswerJudge.subject)
                guard let vector = try await embedder.embed([text], caller: caller).first else {
                    throw PillarError.upstream("The embedding model returned no vector.")
                }
                return vector
            }
            let rule: @Sendable (String) -> SamplingRule? = { settings.rule(for: $0) }
            services.append(
                OnlineEvaluator(
                    intake: intake, store: store, rule: rule, canaries: canaries,
                    judge: LibraryAnswerJudge(judge: judge, model: settings.judgeModel), embedQuery: embedQuery, health: health,
                    judgeConcurrency: settings.judgeConcurrency, judgeBacklog: settings.judgeBacklog, logger: logger))
            let drift = DriftSettings(
                enabled: settings.drift.enabled, windowSeconds: settings.drift.windowSeconds,
                referenceSeconds: settings.drift.referenceSeconds,
                minimumPerSide: settings.drift.minimumPerSide,
                maximumPerSide: settings.drift.maximumPerSide, permutations: settings.drift.permutations)
            services.append(
                QualityMonitorService(
                    store: store, monitors: monitors, signalWindowSeconds: settings.signalWindowSeconds, drift: drift,
                    interval: Self.duration(settings.evaluationIntervalSeconds), alerts: alerts, board: board, logger: logger))
            services.append(
                CanaryAnalysisService(
                    analyses: analyses, tick: Self.duration(settings.canary.tickSeconds),
                    logger: logger))
        }
        self.services = services
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }

    /// The configured webhooks with their secrets read from the environment; a secret named but missing
    /// stops the start rather than send unsigned alerts a receiver would reject.
    static func endpoints(_ webhooks: [PillarConfiguration.Webhook], environment: [String: String]) throws -> [WebhookEndpoint] {
        try webhooks.map { webhook in
            var secret: [UInt8]?
            if let name = webhook.secretEnv {
                guard let value = environment[name], !value.isEmpty else {
                    throw ConfigurationError(
                        key: "monitoring.webhooks.\(webhook.name).secretEnv",
                        "the environment variable \(name) is not set")
                }
                secret = Array(value.utf8)
            }
            let kinds = webhook.events.map { Set($0.compactMap(AlertEvent.Kind.init(rawValue:))) }
            return WebhookEndpoint(
                name: webhook.name, url: webhook.url, secret: secret, events: kinds,
                timeout: duration(webhook.timeoutSeconds), maxAttempts: webhook.maxAttempts)
        }
    }
}
