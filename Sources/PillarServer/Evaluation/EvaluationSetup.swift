import Logging
import PillarCore
import PillarEval
import PillarFlows

/// The evaluation parts, wired once: runs answer through the orchestration's evaluation flow service and
/// judge through its evaluation models, both metered against the evaluation budget.
struct EvaluationSetup {
    let service: EvaluationService

    init(
        configuration: PillarConfiguration, environment: [String: String], store: any EvalRepository,
        coordinator: EvalRunCoordinator, orchestration: OrchestrationSetup, documents: any DocumentRepository,
        feedback: any DataProtectionRepository, redaction: StorageRedaction, audit: any AuditLog, logger: Logger
    ) {
        let answering = FlowEvalAnswering(
            service: orchestration.evaluationService, prompts: orchestration.prompts,
            models: orchestration.evaluationModels, documents: documents,
            prices: configuration.prices, redaction: redaction,
            configurationDigest: FlowEvalAnswering.digest(of: configuration))
        let judge = LibraryJudge(
            prompts: orchestration.prompts, models: orchestration.evaluationModels,
            defaultModel: configuration.evaluation.judgeModel ?? orchestration.defaultModel,
            prices: configuration.prices)
        let runner = EvalRunner(store: store, answering: answering, scoring: EvalScoring(judging: judge), logger: logger)
        service = EvaluationService(
            store: store, coordinator: coordinator, runner: runner, answering: answering,
            traces: orchestration.traces, feedback: feedback, redaction: redaction, audit: audit,
            settings: configuration.evaluation,
            plotlyScriptPath: configuration.plotlyScriptPath(environment: environment))
    }
}
