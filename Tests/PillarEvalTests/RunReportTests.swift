import Foundation
import PillarCore
import Testing

@testable import PillarEval

@Suite struct RunReportTests {
    static let run = EvalRunRecord(
        id: "run-7", tenant: "acme",
        spec: EvalRunSpec(
            dataset: "hotpotqa", datasetVersion: 2, flow: "rag@candidate", prompts: ["rag-answer@3"], model: "gpt-4o-mini",
            repeats: 2, metrics: ["facts_recall", "latency_ms"]),
        status: .failed,
        versions: EvalRunVersions(
            flow: .init(name: "rag", version: 4, label: "candidate"),
            prompts: [.init(name: "rag-answer", version: 3, label: nil)], models: ["gpt-4o-mini"],
            indexDocuments: 12, indexChunks: 340, configurationDigest: "abc123"),
        total: 150, done: 30, promptTokens: 12000, completionTokens: 3456, costUSD: 0.0421,
        error: "model.unavailable: the deployment | went away", createdBy: "alice", createdAt: 1_700_000_000,
        finishedAt: 1_700_000_725)

    static func result(
        _ item: String, repeat index: Int, latency: Double, status: EvalResult.Status = .answered, code: String? = nil,
        facts: Double? = nil, run: String = "run-7"
    ) -> EvalResult {
        var scores: [String: EvalScore] = [:]
        if let facts { scores["facts_recall"] = EvalScore(value: facts) }
        if status == .answered { scores["custom_tone"] = EvalScore(value: nil, error: "judge answered off its rubric") }
        return EvalResult(
            runID: run, itemID: item, repeatIndex: index, status: status, errorCode: code,
            errorMessage: code.map { "failed with \($0)" }, answer: "", latencyMs: latency, scores: scores, createdAt: 0)
    }

    static let results: [EvalResult] = {
        var results = [
            result("a", repeat: 0, latency: 100, facts: 1), result("a", repeat: 1, latency: 900, facts: 0),
            result("b", repeat: 0, latency: 50, facts: 1),
            result("c", repeat: 0, latency: 5000, status: .failed, code: "model.timeout"),
            result("d", repeat: 0, latency: 10, status: .failed, code: "model.timeout"),
            result("e", repeat: 0, latency: 20, status: .failed),
            result("f", repeat: 0, latency: 30, status: .refused),
            result("z", repeat: 0, latency: 99_999, facts: 0, run: "run-other"),
        ]
        for index in 0..<8 { results.append(result("m\(index)", repeat: 0, latency: 200 + Double(index), facts: nil)) }
        return results
    }()

    let report = RunReport.markdown(
        run: Self.run, results: Self.results,
        metrics: EvalMetric.builtIn.filter { ["facts_recall", "latency_ms"].contains($0.name) })

    @Test func saysWhatRanAndHowItEnded() {
        #expect(
            report.hasPrefix("# Evaluation run run-7\n\nStatus: **failed**: model.unavailable: the deployment \\| went away\n"))
        #expect(report.contains("| Dataset | hotpotqa@2 |"))
        #expect(report.contains("| Flow | rag@candidate |"))
        #expect(report.contains("| Prompt pins | rag-answer@3 |"))
        #expect(report.contains("| Model | gpt-4o-mini |"))
        #expect(report.contains("| Repeats | 2 |"))
        #expect(report.contains("| Flow | rag@4 (candidate) |"))
        #expect(report.contains("| Index | 12 documents, 340 chunks |"))
        #expect(report.contains("| Created | 2023-11-14T22:13:20Z by alice |"))
        #expect(report.contains("| Finished | 2023-11-14T22:25:25Z (after 12 min 5 s) |"))
        #expect(report.contains("| Progress | 30 of 150 answers (20.0%) |"))
        #expect(report.contains("| Tokens | 12000 prompt + 3456 completion = 15456 |"))
        #expect(report.contains("| Cost | 0.0421 USD |"))
        #expect(report.contains("> **Note:** 1 results of other runs were given and left out."))
        #expect(report.contains("15 recorded: 11 answered, 1 refused, 3 failed."))
    }

    @Test func metricMeansAreOverItemsAndCountTheirValues() {
        // Item a's repeats average 0.5 and item b has 1: the mean over items is 0.75 (over answers it would be 0.667).
        #expect(report.contains("| facts_recall | higher is better | 0.750 | 3 | 12 | 0 |"))
        #expect(report.contains("| latency_ms | lower is better | n/a | 0 | 15 | 0 |"))
        #expect(report.contains("| custom_tone | not in the catalog | n/a | 0 | 15 | 11 |"))
    }

    @Test func errorsAreCountedByCode() throws {
        let section = try #require(
            report.components(separatedBy: "## Errors by code").last?.components(separatedBy: "## Slowest").first)
        let rows = section.components(separatedBy: "\n").filter { $0.hasPrefix("| ") }
        #expect(
            rows == [
                "| Code | Answers | First message |",
                "| model.timeout | 2 | failed with model.timeout |",
                "| unknown | 1 |  |",
            ])
    }

    @Test func listsTheTenSlowestItems() throws {
        let section = try #require(report.components(separatedBy: "## Slowest items").last)
        let rows = section.components(separatedBy: "\n").filter { $0.hasPrefix("| ") }.dropFirst()
        #expect(rows.count == 10)
        #expect(rows.first == "| c | 5000.0 ms | 0 | failed (model.timeout) |")
        #expect(rows.dropFirst().first == "| a | 900.0 ms | 1 | answered |")
        #expect(rows.map { ReportFixture.cells(ofRow: $0)[0] }.contains("z") == false)
        // Ten of the twelve items of this run make it; the two fastest (d and e) do not.
        #expect(!rows.contains { $0.hasPrefix("| d |") || $0.hasPrefix("| e |") })
    }

    @Test func aRunWithNoAnswersSaysSo() {
        let text = RunReport.markdown(run: Self.run, results: [], metrics: [])
        #expect(text.contains("No metric was scored."))
        #expect(text.contains("No answer failed."))
        #expect(text.contains("No answer was recorded."))
        #expect(!text.contains("Note:"))
    }
}
