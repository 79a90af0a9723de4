extension ComparisonReport {
    /// The comparison as Markdown: the two runs, any warnings, one table per metric with its verdict (and
    /// under judge metrics how far the judge can be trusted), then the items that got worse.
    public static func markdown(_ comparison: EvalComparison) -> String {
        let md = ReportEscaping.markdown
        var lines: [String] = []
        lines.append("# Evaluation comparison: \(md(comparison.baseline.id)) → \(md(comparison.candidate.id))")
        lines.append("")

        if !comparison.warnings.isEmpty {
            lines.append("> **⚠ Warnings (\(comparison.warnings.count)): read these before trusting the numbers.**")
            lines.append(">")
            for warning in comparison.warnings { lines.append("> - \(md(warning))") }
            lines.append("")
        }

        lines.append(contentsOf: runsTable(comparison))
        lines.append("")
        lines.append("## Metrics")
        lines.append("")
        lines.append(methodNote(comparison))
        lines.append("")
        if comparison.metrics.isEmpty {
            lines.append("No metric was compared.")
            lines.append("")
        }
        for metric in comparison.metrics {
            lines.append(contentsOf: metricSection(metric, comparison: comparison))
            lines.append("")
        }
        lines.append(contentsOf: regressionsSection(comparison))
        return lines.joined(separator: "\n") + "\n"
    }

    private static func runsTable(_ comparison: EvalComparison) -> [String] {
        let md = ReportEscaping.markdown
        let baseline = comparison.baseline
        let candidate = comparison.candidate
        func row(_ label: String, _ left: String, _ right: String) -> String { "| \(label) | \(left) | \(right) |" }
        return [
            "## Runs",
            "",
            "| | Baseline | Candidate |",
            "|---|---|---|",
            row("Run", md(baseline.id), md(candidate.id)),
            row("Flow", md(baseline.flow), md(candidate.flow)),
            row("Prompts", prompts(baseline).map(md).joined(separator: ", "), prompts(candidate).map(md).joined(separator: ", ")),
            row("Dataset", md(baseline.dataset), md(candidate.dataset)),
            row("Items × repeats", "\(baseline.items) × \(baseline.repeats)", "\(candidate.items) × \(candidate.repeats)"),
            row("Status", md(baseline.status), md(candidate.status)),
            row("Cost", runCost(baseline), runCost(candidate)),
        ]
    }

    private static func metricSection(_ metric: EvalComparison.MetricComparison, comparison: EvalComparison) -> [String] {
        let md = ReportEscaping.markdown
        let unit = unit(of: metric.name)
        let verdict = ComparisonVerdict(metric)
        let flagged = metric.judge?.flagged == true
        var lines: [String] = []
        lines.append("### \(md(metric.name)): \(verdict.rawValue)\(flagged ? " (judge FLAGGED)" : "")")
        lines.append("")
        lines.append(sentence(directionPhrase(metric.direction)))
        lines.append("")
        let baselinePassK = passKLabel(repeats: comparison.baseline.repeats)
        let candidatePassK = passKLabel(repeats: comparison.candidate.repeats)
        lines.append(
            "| Baseline mean | Candidate mean | Delta | 95% CI | p | Pairs | Baseline \(baselinePassK) | Candidate \(candidatePassK) | Verdict |"
        )
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        let cells = [
            unit.format(metric.baselineMean), unit.format(metric.candidateMean), unit.formatSigned(metric.delta),
            interval(metric, unit: unit), ReportNumberFormat.pValue(metric.pValue), String(metric.pairs),
            ReportUnit.plain.format(metric.baselinePassK), ReportUnit.plain.format(metric.candidatePassK), verdict.rawValue,
        ]
        lines.append("| " + cells.joined(separator: " | ") + " |")
        if let judge = metric.judge {
            lines.append("")
            lines.append("- \(md(judgeSummary(judge)))")
            if judge.flagged { lines.append("- **FLAGGED**: \(md(flaggedSummary(judge)))") }
        }
        return lines
    }

    private static func regressionsSection(_ comparison: EvalComparison) -> [String] {
        let md = ReportEscaping.markdown
        var lines = ["## Regressions (\(comparison.regressions.count))", ""]
        guard !comparison.regressions.isEmpty else {
            lines.append("No item got worse on any metric.")
            return lines
        }
        lines.append("Items that got worse, worst first.")
        lines.append("")
        lines.append("| Item | Question | Metric | Baseline → candidate |")
        lines.append("|---|---|---|---|")
        for regression in comparison.regressions.prefix(regressionRowLimit) {
            let unit = unit(of: regression.metric)
            let question = md(ReportEscaping.truncated(regression.question, to: questionCharacterLimit))
            lines.append(
                "| \(md(regression.itemID)) | \(question) | \(md(regression.metric)) | "
                    + "\(unit.format(regression.baseline)) → \(unit.format(regression.candidate)) |")
        }
        let more = comparison.regressions.count - regressionRowLimit
        if more > 0 {
            lines.append("")
            lines.append("…and \(more) more.")
        }
        return lines
    }
}
