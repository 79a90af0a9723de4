import PillarCore

extension EvalComparison.RunSummary {
    /// What a reader needs to tell the run apart: `rag@3`, `rag-answer@2`, `hotpotqa@1`, how many items it
    /// answered, and whether it finished.
    init(record: EvalRunRecord, answeredItems: Int) {
        var prompts: [String] = []
        for use in record.versions.prompts {
            let reference = "\(use.name)@\(use.version)"
            if !prompts.contains(reference) { prompts.append(reference) }
        }
        self.init(
            id: record.id,
            flow: "\(record.versions.flow.name)@\(record.versions.flow.version)",
            prompts: prompts,
            dataset: Self.datasetReference(record.spec),
            items: answeredItems,
            repeats: record.spec.repeats,
            status: record.status.rawValue,
            costUSD: record.costUSD)
    }

    static func datasetReference(_ spec: EvalRunSpec) -> String {
        spec.datasetVersion.map { "\(spec.dataset)@\($0)" } ?? spec.dataset
    }
}
