import Foundation
import PillarCore

/// One evaluation run on its own, as Markdown: what ran and with which versions, how far it got and what it
/// cost, each metric's mean, failures by error code and the slowest items.
public enum RunReport {
    /// `results` are the run's answers (any of another run are left out, and the report says so); `metrics`
    /// gives each metric's direction and the order they are listed in (metrics the answers were scored on
    /// but `metrics` lacks come after, by name).
    public static func markdown(run: EvalRunRecord, results: [EvalResult], metrics: [EvalMetric]) -> String {
        let md = ReportEscaping.markdown
        let digest = RunDigest(runID: run.id, results: results, metrics: metrics)
        var lines: [String] = []
        lines.append("# Evaluation run \(md(run.id))")
        lines.append("")
        let status = "**\(run.status.rawValue)**" + (run.error.map { ": \(md($0))" } ?? "")
        lines.append("Status: \(status)")
        lines.append("")
        if digest.otherRuns > 0 {
            lines.append("> **Note:** \(digest.otherRuns) results of other runs were given and left out.")
            lines.append("")
        }
        lines.append(contentsOf: table("What ran", specRows(run)))
        lines.append("")
        lines.append(contentsOf: table("Versions", versionRows(run.versions)))
        lines.append("")
        lines.append(contentsOf: table("Progress and cost", progressRows(run)))
        lines.append("")
        lines.append(contentsOf: answersSection(digest))
        lines.append("")
        lines.append(contentsOf: metricsSection(digest))
        lines.append("")
        lines.append(contentsOf: errorsSection(digest))
        lines.append("")
        lines.append(contentsOf: slowestSection(digest))
        return lines.joined(separator: "\n") + "\n"
    }

    private static func table(_ title: String, _ rows: [(String, String)]) -> [String] {
        ["## \(title)", "", "| Field | Value |", "|---|---|"] + rows.map { "| \($0.0) | \($0.1) |" }
    }

    private static func specRows(_ run: EvalRunRecord) -> [(String, String)] {
        let md = ReportEscaping.markdown
        let spec = run.spec
        let dataset = spec.datasetVersion.map { "\(md(spec.dataset))@\($0)" } ?? "\(md(spec.dataset)) (newest version)"
        var rows: [(String, String)] = [
            ("Dataset", dataset),
            ("Flow", md(spec.flow)),
            ("Prompt pins", spec.prompts.isEmpty ? "none" : spec.prompts.map(md).joined(separator: ", ")),
            ("Model", spec.model.map(md) ?? "each llm node's own"),
            ("Repeats", String(spec.repeats)),
            ("Concurrency", String(spec.concurrency)),
            ("Groups", spec.groups.isEmpty ? "none" : spec.groups.map(md).joined(separator: ", ")),
            ("Metrics", spec.metrics.isEmpty ? "the defaults" : spec.metrics.map(md).joined(separator: ", ")),
            ("Judge model", spec.judgeModel.map(md) ?? "the configured judge model"),
            ("Custom scorers", spec.scorers?.isEmpty == false ? "yes" : "none"),
        ]
        if let note = spec.note, !note.isEmpty { rows.append(("Note", md(note))) }
        rows.append(("Created", "\(timestamp(run.createdAt)) by \(md(run.createdBy))"))
        if let finishedAt = run.finishedAt {
            rows.append(("Finished", "\(timestamp(finishedAt)) (after \(duration(finishedAt - run.createdAt)))"))
        }
        return rows
    }

    private static func versionRows(_ versions: EvalRunVersions) -> [(String, String)] {
        let md = ReportEscaping.markdown
        func use(_ artifact: FlowTrace.ArtifactUse) -> String {
            "\(md(artifact.name))@\(artifact.version)" + (artifact.label.map { " (\(md($0)))" } ?? "")
        }
        func list(_ values: [String]) -> String { values.isEmpty ? "none recorded" : values.map(md).joined(separator: ", ") }
        let updated = versions.indexUpdatedAt.map { ", newest indexed \(timestamp($0))" } ?? ""
        return [
            ("Flow", use(versions.flow)),
            ("Prompts used", versions.prompts.isEmpty ? "none recorded" : versions.prompts.map(use).joined(separator: ", ")),
            ("Models", list(versions.models)),
            ("Deployments", list(versions.deployments)),
            ("Index", "\(versions.indexDocuments) documents, \(versions.indexChunks) chunks\(updated)"),
            ("Configuration digest", versions.configurationDigest.isEmpty ? "none recorded" : md(versions.configurationDigest)),
        ]
    }

    private static func progressRows(_ run: EvalRunRecord) -> [(String, String)] {
        let totalTokens = run.promptTokens.addingReportingOverflow(run.completionTokens)
        let total = totalTokens.overflow ? "too many to add" : String(totalTokens.partialValue)
        return [
            ("Progress", "\(run.done) of \(run.total) answers (\(ReportNumberFormat.percent(run.done, of: run.total)))"),
            ("Tokens", "\(run.promptTokens) prompt + \(run.completionTokens) completion = \(total)"),
            ("Cost", ReportUnit.dollars.format(run.costUSD)),
        ]
    }

    private static func answersSection(_ digest: RunDigest) -> [String] {
        [
            "## Answers", "",
            "\(digest.answers) recorded: \(digest.answered) answered, \(digest.refused) refused, \(digest.failed) failed.",
        ]
    }

    private static func metricsSection(_ digest: RunDigest) -> [String] {
        let md = ReportEscaping.markdown
        var lines = ["## Metrics", ""]
        guard !digest.metrics.isEmpty else { return lines + ["No metric was scored."] }
        lines.append("Mean over items, each item's mean over its repeats; values counts the answers that had one.")
        lines.append("")
        lines.append("| Metric | Direction | Mean | Values | Without a value | Scoring errors |")
        lines.append("|---|---|---:|---:|---:|---:|")
        for metric in digest.metrics {
            let direction = metric.direction.map(ComparisonReport.directionPhrase) ?? "not in the catalog"
            let unit = ReportUnit(metricName: metric.name)
            lines.append(
                "| \(md(metric.name)) | \(direction) | \(unit.format(metric.mean)) | \(metric.values) | "
                    + "\(digest.answers - metric.values) | \(metric.scoringErrors) |")
        }
        let failing = digest.metrics.filter { $0.firstScoringError != nil }
        if !failing.isEmpty {
            lines.append("")
            lines.append("Why scores are missing (the first error of each metric):")
            lines.append("")
            for metric in failing {
                let message = ReportEscaping.truncated(
                    metric.firstScoringError ?? "", to: ComparisonReport.questionCharacterLimit)
                lines.append("- \(md(metric.name)): \(md(message))")
            }
        }
        return lines
    }

    private static func errorsSection(_ digest: RunDigest) -> [String] {
        let md = ReportEscaping.markdown
        var lines = ["## Errors by code", ""]
        guard !digest.errors.isEmpty else { return lines + ["No answer failed."] }
        lines.append("| Code | Answers | First message |")
        lines.append("|---|---:|---|")
        for error in digest.errors {
            let message =
                error.firstMessage.map { md(ReportEscaping.truncated($0, to: ComparisonReport.questionCharacterLimit)) } ?? ""
            lines.append("| \(md(error.code)) | \(error.answers) | \(message) |")
        }
        return lines
    }

    private static func slowestSection(_ digest: RunDigest) -> [String] {
        let md = ReportEscaping.markdown
        var lines = ["## Slowest items", ""]
        guard !digest.slowest.isEmpty else { return lines + ["No answer was recorded."] }
        lines.append("Each item's slowest answer, slowest first (at most \(RunDigest.slowestLimit)).")
        lines.append("")
        lines.append("| Item | Latency | Repeat | Status |")
        lines.append("|---|---:|---:|---|")
        for item in digest.slowest {
            let status = item.status.rawValue + (item.errorCode.map { " (\(md($0)))" } ?? "")
            lines.append(
                "| \(md(item.itemID)) | \(ReportUnit.milliseconds.format(item.latencyMs)) | \(item.repeatIndex) | \(status) |")
        }
        return lines
    }

    /// ISO 8601 in UTC; `n/a` for a time no calendar holds.
    static func timestamp(_ seconds: Double) -> String {
        // About ±3000 years around 1970: beyond that the number is not a time this system wrote.
        guard seconds.isFinite, Swift.abs(seconds) < 1e11 else { return ReportNumberFormat.missing }
        return Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }

    /// `42.0 s`, `12 min 3 s`, `2 h 5 min`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e11 else { return ReportNumberFormat.missing }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
