import Foundation
import Testing

@testable import PillarEval

@Suite struct ComparisonReportMarkdownTests {
    let markdown = ComparisonReport.markdown(ReportFixture.comparison())

    private func row(after heading: String) -> [String]? {
        let lines = markdown.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: heading) else { return nil }
        // The heading, the direction sentence, the header row, the rule, then the values.
        guard let values = lines[start...].first(where: { $0.hasPrefix("| ") && !$0.contains("Baseline mean") }) else {
            return nil
        }
        return ReportFixture.cells(ofRow: values)
    }

    @Test func headerNamesBothRuns() {
        #expect(markdown.hasPrefix("# Evaluation comparison: run-base → run-cand\n"))
        #expect(markdown.contains("| Flow | rag@3 | rag@4 |"))
        #expect(markdown.contains("| Prompts | rag-answer@2 | rag-answer@3, judge\\<b\\>@1 |"))
        #expect(markdown.contains("| Dataset | hotpotqa@1 | hotpotqa@1 |"))
        #expect(markdown.contains("| Items × repeats | 4 × 3 | 4 × 3 |"))
        #expect(markdown.contains("| Status | completed | failed |"))
        #expect(markdown.contains("| Cost | 1.23 USD | 0.000412 USD |"))
    }

    @Test func warningsComeFirstAsABlock() throws {
        let warnings = try #require(markdown.range(of: "> **⚠ Warnings (2)"))
        let runs = try #require(markdown.range(of: "## Runs"))
        #expect(warnings.lowerBound < runs.lowerBound)
        #expect(markdown.contains("> - The candidate run failed before it finished."))
        #expect(markdown.contains("> - Flagged judge \\<!-- judge-groundedness@1 --\\>"))
    }

    @Test func metricTablesHoldTheNumbersAndVerdicts() {
        #expect(
            row(after: "### facts_recall: better")
                == ["0.700", "0.850", "+0.150", "+0.050 to +0.250", "0.004", "4", "0.500", "0.650", "better"])
        #expect(
            row(after: "### latency_ms: worse")
                == ["1234.5 ms", "1500.3 ms", "+265.8 ms", "+100.0 ms to +431.5 ms", "<0.001", "4", "n/a", "n/a", "worse"])
        #expect(
            row(after: "### groundedness: no significant difference (judge FLAGGED)")
                == ["3.900", "4.000", "+0.100", "-0.200 to +0.400", "0.420", "4", "0.250", "0.500", "no significant difference"])
        #expect(
            row(after: "### exact_match: not comparable")
                == ["1.000", "0.000", "-1.000", "n/a", "n/a", "1", "1.000", "0.000", "not comparable"])
        #expect(row(after: "### refused: better")?.last == "better")
        #expect(
            markdown.contains(
                "| Baseline mean | Candidate mean | Delta | 95% CI | p | Pairs | Baseline pass^3 | Candidate pass^3 | Verdict |"))
        #expect(markdown.contains("Lower is better."))
        #expect(markdown.contains("10000 resamples, seed 42"))
    }

    @Test func judgeLinesSitUnderTheirMetric() throws {
        let judgeLine = try #require(
            markdown.range(
                of: "- Judge judge-groundedness@1: Cohen's kappa 0.410 over 40 items; "
                    + "Spearman's rho n/a over 0 items; repeat SD 0.214; minimum agreement 0.600."))
        let heading = try #require(markdown.range(of: "### groundedness:"))
        let next = try #require(markdown.range(of: "### exact_match:"))
        #expect(heading.upperBound < judgeLine.lowerBound && judgeLine.upperBound < next.lowerBound)
        #expect(markdown.contains("- **FLAGGED**: this judge agrees with people less than the minimum of 0.600"))
        #expect(ReportFixture.occurrences(of: "FLAGGED", in: markdown) == 2)
    }

    @Test func regressionsAreCappedAtTwentyFive() throws {
        let section = try #require(markdown.components(separatedBy: "## Regressions (30)").last)
        let rows = section.components(separatedBy: "\n").filter { $0.hasPrefix("| ") }
        #expect(rows.count == 1 + ComparisonReport.regressionRowLimit)
        #expect(rows[0] == "| Item | Question | Metric | Baseline → candidate |")
        #expect(ReportFixture.cells(ofRow: rows[2]) == ["item-1", "Question 1?", "latency_ms", "1000.0 ms → 1001.0 ms"])
        #expect(section.contains("…and 5 more."))
        #expect(!section.contains("item-25 "))
        #expect(section.contains("| item-24 |"))
    }

    @Test func hostileTextCannotBreakTheTableOrBecomeMarkup() throws {
        let section = try #require(markdown.components(separatedBy: "## Regressions (30)").last)
        let hostileRow = try #require(section.components(separatedBy: "\n").first { $0.contains("alert(1)") })
        let cells = ReportFixture.cells(ofRow: hostileRow)
        #expect(cells.count == 4)
        #expect(cells[0] == "q\\|4\\</script\\>\\<!--")
        #expect(cells[1] == "\\</script\\>\\<script\\>alert(1)\\</script\\> \\| pipe<br>second line \\<!-- comment")
        #expect(cells[3] == "1.000 → 0.000")
        // No raw tag or comment opener survives anywhere: a `<` that could start markup is escaped, or our own `<br>`.
        let characters = Array(markdown)
        for index in characters.indices where characters[index] == "<" && (index == 0 || characters[index - 1] != "\\") {
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            let couldBeMarkup = next.isLetter || next == "/" || next == "!" || next == "?"
            #expect(!couldBeMarkup || String(characters[index..<min(index + 4, characters.count)]) == "<br>")
        }
    }

    @Test func noWarningsNoBlockAndNoRegressionsSaysSo() {
        var comparison = ReportFixture.comparison()
        comparison.warnings = []
        comparison.regressions = []
        let text = ComparisonReport.markdown(comparison)
        #expect(!text.contains("Warnings"))
        #expect(text.contains("## Regressions (0)\n\nNo item got worse on any metric."))
    }
}
