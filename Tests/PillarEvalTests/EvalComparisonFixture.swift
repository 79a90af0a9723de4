import PillarCore

@testable import PillarEval

/// Small runs for the comparison, judge and gate tests.
enum EvalComparisonFixture {
    static let groundedness = EvalMetric(name: "groundedness", passThreshold: 4, kind: .judge, summary: "judge")
    static let latency = EvalMetric(
        name: "latency_ms", direction: .lowerIsBetter, passThreshold: nil,
        kind: .deterministic, summary: "latency")

    static func run(
        id: String, dataset: String = "qa", version: Int? = 1, repeats: Int = 2,
        status: EvalRunRecord.Status = .completed, prompts: [String] = []
    ) -> EvalRunRecord {
        let uses = prompts.map { reference -> FlowTrace.ArtifactUse in
            let parts = reference.split(separator: "@")
            return FlowTrace.ArtifactUse(name: String(parts[0]), version: Int(parts[1]) ?? 0, label: nil)
        }
        return EvalRunRecord(
            id: id, tenant: "acme", spec: EvalRunSpec(dataset: dataset, datasetVersion: version, repeats: repeats),
            status: status, versions: EvalRunVersions(flow: .init(name: "rag", version: 3, label: nil), prompts: uses),
            total: 8, done: 6, costUSD: 0.25, createdBy: "tester", createdAt: 0)
    }

    /// One result per (item, repeat); `scores` maps metric names to a value (nil: scored as not applicable).
    static func result(_ run: String, _ item: String, _ repeatIndex: Int, _ scores: [String: Double?]) -> EvalResult {
        EvalResult(
            runID: run, itemID: item, repeatIndex: repeatIndex, status: .answered, answer: "answer",
            latencyMs: 0, scores: scores.mapValues { EvalScore(value: $0) }, createdAt: 0)
    }
}
