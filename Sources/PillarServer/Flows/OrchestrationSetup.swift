import AsyncHTTPClient
import Logging
import PillarCore
import PillarFlows
import PillarGateway
import PillarRetrieval
import PillarStore

/// The orchestration parts, wired once: the prompt and flow libraries, the flow runner reaching models
/// through the gateway, conversations and answer traces.
struct OrchestrationSetup {
    let prompts: VersionedLibrary<CompiledPrompt>
    let flows: VersionedLibrary<CompiledFlow>
    let conversations: any ConversationRepository
    let traces: any FlowTraceRepository
    let service: FlowService
    /// The same flows for evaluation runs: their model calls are admitted against the evaluation budget.
    let evaluationService: FlowService
    let evaluationModels: GatewayFlowModels
    /// The same flows for the isolation probe: no admission (it is not the tenant's traffic), its calls metered
    /// to the probe tenant, its answers not kept as traces.
    let probeService: FlowService
    let defaultModel: String
    /// Flows' tool calls get a client of their own that never follows redirects: a redirect could lead an
    /// allowed host's answer to a host that is not allowed.
    let toolClient: HTTPClient

    /// The client flows' `http` nodes call tools with: no redirects (an allowed host cannot send a call elsewhere).
    static func makeToolClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    init(
        configuration: PillarConfiguration, database: PillarDatabase, gateway: ModelGateway, admission: AdmissionControl?,
        evaluationAdmission: AdmissionControl?, promotionApproval: (any PromotionApproval)?, turns: any TurnRepository,
        retriever: Retriever, redaction: StorageRedaction, gate: SafetyGate, quality: QualityReporter?,
        toolClient: HTTPClient, logger: Logger
    ) {
        let library = SQLiteLibraryRepository(database: database)
        let allowedHosts = Set(configuration.flows.allowedHosts)
        prompts = ShippedLibrary.promptLibrary(library, approval: promotionApproval)
        flows = ShippedLibrary.flowLibrary(library, allowedHosts: allowedHosts, approval: promotionApproval)
        conversations = SQLiteConversationRepository(database: database)
        traces = SQLiteFlowTraceRepository(database: database)
        let models = GatewayFlowModels(
            gateway: gateway, admission: admission, prices: configuration.prices, turns: turns,
            redaction: redaction, gate: gate, logger: logger)
        // Without a configured default, flows use the first model the gateway serves that is not for embeddings.
        let defaultModel =
            configuration.flows.defaultModel
            ?? gateway.models.first { $0 != configuration.retrieval.embeddingModel } ?? "default"
        self.defaultModel = defaultModel
        self.toolClient = toolClient
        let runner = FlowRunner(
            prompts: prompts, models: models, retriever: retriever,
            http: FlowHTTPClient(client: toolClient, allowedHosts: allowedHosts),
            defaultModel: defaultModel, safety: gate, logger: logger)
        service = FlowService(
            flows: flows, runner: runner, traces: traces, historyTokens: configuration.flows.historyTokens,
            redaction: redaction, logger: logger, quality: quality)
        evaluationModels = GatewayFlowModels(
            gateway: gateway, admission: evaluationAdmission, prices: configuration.prices,
            turns: turns, redaction: redaction, gate: gate, logger: logger)
        let evaluationRunner = FlowRunner(
            prompts: prompts, models: evaluationModels, retriever: retriever,
            http: FlowHTTPClient(client: toolClient, allowedHosts: allowedHosts),
            defaultModel: defaultModel, safety: gate, logger: logger)
        evaluationService = FlowService(
            flows: flows, runner: evaluationRunner, traces: traces,
            historyTokens: configuration.flows.historyTokens, redaction: redaction, logger: logger)
        let probeModels = GatewayFlowModels(
            gateway: gateway, admission: nil, prices: configuration.prices,
            turns: ProbeMeteredTurns(base: turns), redaction: redaction, gate: gate, logger: logger)
        let probeRunner = FlowRunner(
            prompts: prompts, models: probeModels, retriever: retriever,
            http: FlowHTTPClient(client: toolClient, allowedHosts: allowedHosts),
            defaultModel: defaultModel, safety: gate, logger: logger)
        probeService = FlowService(
            flows: flows, runner: probeRunner, traces: DiscardedTraces(),
            historyTokens: configuration.flows.historyTokens, redaction: redaction, logger: logger)
    }
}
