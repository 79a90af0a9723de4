import PillarEval
import ServiceLifecycle

/// Runs belong to the process that started them: at shutdown, the runs going are interrupted and each saves
/// how it ended, so that `resume` can finish it. (Runs a killed process left `running` are marked
/// `interrupted` when the next one builds the application, before it serves.)
struct EvaluationLifecycle: Service {
    let coordinator: EvalRunCoordinator

    func run() async throws {
        try? await gracefulShutdown()
        await coordinator.interruptAll()
    }
}
