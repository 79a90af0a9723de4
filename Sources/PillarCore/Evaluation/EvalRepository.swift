/// Where datasets, runs, their results, baselines and gates are kept, per tenant. Items and results hold
/// people's words and the model's answers: implementations encrypt them at rest.
public protocol EvalRepository: Sendable {
    /// Saves `items` as the dataset's next version. `subjects` (same length, or empty) names whose production
    /// conversation an item came from, so that erasing that person removes it.
    func saveDataset(
        tenant: String, name: String, items: [EvalItem], subjects: [String?], source: String, note: String?,
        createdBy: String
    ) async throws -> EvalDatasetVersion
    /// The newest version of every dataset.
    func datasets(tenant: String) async throws -> [EvalDatasetVersion]
    func datasetVersions(tenant: String, name: String) async throws -> [EvalDatasetVersion]
    /// A version, or the newest when `version` is nil.
    func dataset(tenant: String, name: String, version: Int?) async throws -> EvalDatasetVersion?
    func items(tenant: String, name: String, version: Int) async throws -> [EvalItem]

    func createRun(_ run: EvalRunRecord) async throws
    /// Writes the run's status, progress, usage, versions, error and finish time.
    func updateRun(_ run: EvalRunRecord) async throws
    func run(id: String, tenant: String) async throws -> EvalRunRecord?
    func runs(tenant: String, dataset: String?, limit: Int) async throws -> [EvalRunRecord]
    /// Saves one result and the run's progress with it, in one transaction: a run's `done` never counts a
    /// result that is not there.
    func saveResult(_ result: EvalResult, run: EvalRunRecord) async throws
    func results(runID: String, tenant: String) async throws -> [EvalResult]
    /// Marks every run left `running` by a process that stopped as `interrupted`; returns how many.
    func markRunningInterrupted() async throws -> Int

    func setBaseline(tenant: String, _ baseline: EvalBaseline) async throws
    func baseline(tenant: String, dataset: String, flow: String) async throws -> EvalBaseline?
    func baselines(tenant: String) async throws -> [EvalBaseline]

    func saveGate(_ gate: EvalGateRecord) async throws
    func gates(tenant: String, limit: Int) async throws -> [EvalGateRecord]
    /// The newest passing gate that vouches for a version, if any.
    func passingGate(tenant: String, kind: LibraryKind, name: String, version: Int) async throws -> EvalGateRecord?
}
