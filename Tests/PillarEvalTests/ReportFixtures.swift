import Foundation
import PillarCore

@testable import PillarEval

/// A comparison with a metric of every verdict, a flagged judge, 30 regressions and hostile user text.
enum ReportFixture {
    static let hostileQuestion = "</script><script>alert(1)</script> | pipe\nsecond line <!-- comment"
    static let hostileItemID = "q|4</script><!--"

    static func comparison(delta: Double = 0.15) -> EvalComparison {
        let baseline = EvalComparison.RunSummary(
            id: "run-base", flow: "rag@3", prompts: ["rag-answer@2"], dataset: "hotpotqa@1",
            items: 4, repeats: 3, status: "completed", costUSD: 1.2345)
        let candidate = EvalComparison.RunSummary(
            id: "run-cand", flow: "rag@4", prompts: ["rag-answer@3", "judge<b>@1"],
            dataset: "hotpotqa@1", items: 4, repeats: 3, status: "failed", costUSD: 0.000412)
        let judge = EvalComparison.JudgeReliability(
            prompt: "judge-groundedness@1", kappa: 0.41, kappaItems: 40, spearman: nil,
            spearmanItems: 0, repeatStandardDeviation: 0.214, minimumAgreement: 0.6, flagged: true)
        let metrics: [EvalComparison.MetricComparison] = [
            .init(
                name: "facts_recall", direction: .higherIsBetter, baselineMean: 0.7, candidateMean: 0.85, delta: delta,
                intervalLow: 0.05, intervalHigh: 0.25, pValue: 0.004, pairs: 4, baselinePassK: 0.5, candidatePassK: 0.65,
                baselineValues: [1, 0.5, 0.3, 1], candidateValues: [1, 0.9, 0.5, 1]),
            .init(
                name: "latency_ms", direction: .lowerIsBetter, baselineMean: 1234.5, candidateMean: 1500.3, delta: 265.8,
                intervalLow: 100, intervalHigh: 431.5, pValue: 0.0004, pairs: 4, baselinePassK: nil, candidatePassK: nil,
                baselineValues: [1000, 1200, 1300, 1438], candidateValues: [1100, 1500, 1601.2, 1800]),
            .init(
                name: "groundedness", direction: .higherIsBetter, baselineMean: 3.9, candidateMean: 4.0, delta: 0.1,
                intervalLow: -0.2, intervalHigh: 0.4, pValue: 0.42, pairs: 4, baselinePassK: 0.25, candidatePassK: 0.5,
                baselineValues: [4, 3.6, 4, 4], candidateValues: [4, 4, 4, 4], judge: judge),
            .init(
                name: "exact_match", direction: .higherIsBetter, baselineMean: 1, candidateMean: 0, delta: -1,
                intervalLow: nil, intervalHigh: nil, pValue: nil, pairs: 1, baselinePassK: 1, candidatePassK: 0,
                baselineValues: [1, nil, nil, nil], candidateValues: [0, nil, nil, nil]),
            .init(
                name: "refused", direction: .lowerIsBetter, baselineMean: 0.5, candidateMean: 0.25, delta: -0.25,
                intervalLow: -0.5, intervalHigh: -0.05, pValue: 0.01, pairs: 4, baselinePassK: 0.5, candidatePassK: 0.75,
                baselineValues: [1, 0, 1, 0], candidateValues: [0, 0, 1, 0]),
        ]
        var regressions = [
            EvalComparison.Regression(
                itemID: hostileItemID, question: hostileQuestion, metric: "facts_recall",
                baseline: 1, candidate: 0)
        ]
        for index in 1..<30 {
            regressions.append(
                .init(
                    itemID: "item-\(index)", question: "Question \(index)?", metric: "latency_ms",
                    baseline: 1000, candidate: 1000 + Double(index)))
        }
        return EvalComparison(
            baseline: baseline, candidate: candidate, items: ["q1", "q2", "q3", hostileItemID], metrics: metrics,
            regressions: regressions,
            warnings: ["The candidate run failed before it finished.", "Flagged judge <!-- judge-groundedness@1 -->"],
            bootstrapResamples: 10000, seed: 42)
    }

    /// The text of the page's JSON data block, as a browser would hand it to `JSON.parse`.
    static func dataBlock(of html: String) -> String? {
        let opening = "<script type=\"application/json\" id=\"comparison-data\">"
        guard let start = html.range(of: opening), let end = html.range(of: "</script>", range: start.upperBound..<html.endIndex)
        else { return nil }
        return String(html[start.upperBound..<end.lowerBound])
    }

    /// A Markdown table row split at its unescaped pipes, without the empty ends.
    static func cells(ofRow row: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var escaped = false
        for character in row {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "|" {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        cells.append(current.trimmingCharacters(in: .whitespaces))
        return Array(cells.dropFirst().dropLast())
    }

    static func occurrences(of needle: String, in haystack: String) -> Int {
        haystack.components(separatedBy: needle).count - 1
    }
}
