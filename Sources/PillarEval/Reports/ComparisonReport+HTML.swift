extension ComparisonReport {
    /// The comparison as one self-contained HTML page that opens from disk with no network: the Markdown's
    /// content as accessible tables, and charts drawn by plotly.js, whose minified source (`plotlyScript`) is
    /// inlined. The comparison itself is embedded as JSON (id `comparison-data`), from which a small script
    /// draws the charts. With an empty `plotlyScript` the page has the tables and says charts are unavailable.
    public static func html(_ comparison: EvalComparison, plotlyScript: String) -> String {
        let chartData = chartJSON(comparison)
        let charts = !plotlyScript.isEmpty && chartData != nil
        var page = HTMLPage()
        let title = "Evaluation comparison: \(comparison.baseline.id) → \(comparison.candidate.id)"
        page.add("<!DOCTYPE html>")
        page.add("<html lang=\"en\">")
        page.add("<head>")
        page.add("<meta charset=\"utf-8\">")
        page.add("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        // Nothing on the page may reach the network; plotly needs inline styles and data: images.
        page.add(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
                + "style-src 'unsafe-inline'; img-src data: blob:; font-src data:\">")
        page.add("<title>\(ReportEscaping.html(title))</title>")
        page.add("<style>\(ComparisonReportAssets.stylesheet)</style>")
        page.add("</head>")
        page.add("<body>")
        page.add("<main>")
        page.add("<h1>\(ReportEscaping.html(title))</h1>")
        addWarnings(comparison, to: &page)
        addRuns(comparison, to: &page)
        addMetrics(comparison, charts: charts, to: &page)
        addRegressions(comparison, to: &page)
        page.add("</main>")
        if let chartData {
            page.add(
                "<script type=\"application/json\" id=\"comparison-data\">\(ReportEscaping.jsonForScriptElement(chartData))</script>"
            )
        }
        if charts {
            page.add("<script>\(ReportEscaping.scriptForInlining(plotlyScript))</script>")
            page.add("<script>\(ComparisonReportAssets.chartScript)</script>")
        }
        page.add("</body>")
        page.add("</html>")
        return page.text
    }

    private static func addWarnings(_ comparison: EvalComparison, to page: inout HTMLPage) {
        guard !comparison.warnings.isEmpty else { return }
        page.add("<section class=\"warnings\" aria-labelledby=\"warnings-title\">")
        page.add(
            "<h2 id=\"warnings-title\"><span aria-hidden=\"true\">⚠ </span>Warnings (\(comparison.warnings.count)): "
                + "read these before trusting the numbers</h2>")
        page.add("<ul>")
        for warning in comparison.warnings { page.add("<li>\(ReportEscaping.html(warning, breakLines: true))</li>") }
        page.add("</ul>")
        page.add("</section>")
    }

    private static func addRuns(_ comparison: EvalComparison, to page: inout HTMLPage) {
        let h = { (text: String) in ReportEscaping.html(text, breakLines: true) }
        let baseline = comparison.baseline
        let candidate = comparison.candidate
        let rows: [(String, String, String)] = [
            ("Run", h(baseline.id), h(candidate.id)),
            ("Flow", h(baseline.flow), h(candidate.flow)),
            ("Prompts", prompts(baseline).map(h).joined(separator: ", "), prompts(candidate).map(h).joined(separator: ", ")),
            ("Dataset", h(baseline.dataset), h(candidate.dataset)),
            ("Items × repeats", "\(baseline.items) × \(baseline.repeats)", "\(candidate.items) × \(candidate.repeats)"),
            ("Status", h(baseline.status), h(candidate.status)),
            ("Cost", runCost(baseline), runCost(candidate)),
        ]
        page.add("<section aria-labelledby=\"runs-title\">")
        page.add("<h2 id=\"runs-title\">Runs</h2>")
        page.add("<div class=\"scroll\">")
        page.add("<table>")
        page.add("<caption>The two runs compared</caption>")
        page.add(
            "<thead><tr><th scope=\"col\">Run detail</th><th scope=\"col\">Baseline</th><th scope=\"col\">Candidate</th></tr></thead>"
        )
        page.add("<tbody>")
        for (label, left, right) in rows {
            page.add("<tr><th scope=\"row\">\(label)</th><td>\(left)</td><td>\(right)</td></tr>")
        }
        page.add("</tbody>")
        page.add("</table>")
        page.add("</div>")
        page.add("</section>")
    }

    private static func addMetrics(_ comparison: EvalComparison, charts: Bool, to page: inout HTMLPage) {
        page.add("<section aria-labelledby=\"metrics-title\">")
        page.add("<h2 id=\"metrics-title\">Metrics</h2>")
        page.add("<p>\(ReportEscaping.html(methodNote(comparison)))</p>")
        if charts {
            page.add("<p id=\"charts-status\" class=\"notice\" role=\"status\" hidden></p>")
            page.add("<noscript><p class=\"notice\">Charts need JavaScript; the tables hold every number.</p></noscript>")
        } else {
            page.add(
                "<p id=\"charts-status\" class=\"notice\" role=\"status\">Charts are unavailable: this report was written "
                    + "without plotly.js. The tables hold every number.</p>")
        }
        if comparison.metrics.isEmpty { page.add("<p>No metric was compared.</p>") }
        if charts && !comparison.metrics.isEmpty {
            page.add("<figure class=\"chart\">")
            page.add(
                "<div class=\"plot\" data-chart=\"all-deltas\" role=\"img\" aria-label=\"Every metric's delta, candidate minus "
                    + "baseline, with its 95% interval; the metric tables give the same numbers.\"></div>")
            page.add(
                "<figcaption>Every metric's delta (candidate − baseline) with its 95% interval. Each metric has its own "
                    + "scale; an interval that crosses zero (the dark line) is a change the data cannot tell from none.</figcaption>"
            )
            page.add("</figure>")
        }
        for (index, metric) in comparison.metrics.enumerated() {
            addMetric(metric, index: index, comparison: comparison, charts: charts, to: &page)
        }
        page.add("</section>")
    }

    private static func addMetric(
        _ metric: EvalComparison.MetricComparison, index: Int, comparison: EvalComparison,
        charts: Bool, to page: inout HTMLPage
    ) {
        let name = ReportEscaping.html(metric.name)
        let unit = unit(of: metric.name)
        let verdict = ComparisonVerdict(metric)
        let direction = directionPhrase(metric.direction)
        let titleID = "metric-\(index)-title"
        let flagged = metric.judge?.flagged == true
        let baselinePassK = passKLabel(repeats: comparison.baseline.repeats)
        let candidatePassK = passKLabel(repeats: comparison.candidate.repeats)
        page.add("<section class=\"metric\" aria-labelledby=\"\(titleID)\">")
        page.add(
            "<h3 id=\"\(titleID)\">\(name): <span class=\"verdict\">\(verdict.rawValue)</span>"
                + (flagged ? " <span class=\"flag-marker\">judge FLAGGED</span>" : "") + "</h3>")
        page.add("<div class=\"scroll\">")
        page.add("<table>")
        page.add("<caption>\(name): \(direction)</caption>")
        let headers = [
            "Metric", "Baseline mean", "Candidate mean", "Delta", "95% CI", "p", "Pairs",
            "Baseline \(baselinePassK)", "Candidate \(candidatePassK)", "Verdict",
        ]
        page.add("<thead><tr>" + headers.map { "<th scope=\"col\">\($0)</th>" }.joined() + "</tr></thead>")
        let numbers = [
            unit.format(metric.baselineMean), unit.format(metric.candidateMean), unit.formatSigned(metric.delta),
            interval(metric, unit: unit), ReportNumberFormat.pValue(metric.pValue), String(metric.pairs),
            ReportUnit.plain.format(metric.baselinePassK), ReportUnit.plain.format(metric.candidatePassK),
        ]
        page.add(
            "<tbody><tr><th scope=\"row\">\(name)</th>"
                + numbers.map { "<td class=\"number\">\(ReportEscaping.html($0))</td>" }.joined()
                + "<td><strong>\(verdict.rawValue)</strong></td></tr></tbody>")
        page.add("</table>")
        page.add("</div>")
        if let judge = metric.judge {
            page.add("<p class=\"judge\">\(ReportEscaping.html(judgeSummary(judge)))</p>")
            if judge.flagged {
                page.add("<p class=\"flag\"><strong>FLAGGED</strong>: \(ReportEscaping.html(flaggedSummary(judge)))</p>")
            }
        }
        if charts {
            let attributes =
                "data-metric=\"\(index)\" data-unit=\"\(ReportEscaping.html(unit.label))\" "
                + "data-direction=\"\(ReportEscaping.html(direction))\""
            page.add("<div class=\"chart-pair\">")
            page.add("<figure class=\"chart\">")
            page.add(
                "<div class=\"plot\" data-chart=\"distribution\" \(attributes) role=\"img\" "
                    + "aria-label=\"Per-item values of \(name) in the baseline and the candidate.\"></div>")
            page.add(
                "<figcaption>Per-item values of \(name) (each item's mean over its repeats): a box per run, "
                    + "every item a point (circles baseline, diamonds candidate).</figcaption>")
            page.add("</figure>")
            page.add("<figure class=\"chart\">")
            page.add(
                "<div class=\"plot\" data-chart=\"item-deltas\" \(attributes) role=\"img\" "
                    + "aria-label=\"Per-item change in \(name), candidate minus baseline, sorted.\"></div>")
            page.add("<figcaption>Per-item change in \(name) (candidate − baseline), sorted; \(direction).</figcaption>")
            page.add("</figure>")
            page.add("</div>")
        }
        page.add("</section>")
    }

    private static func addRegressions(_ comparison: EvalComparison, to page: inout HTMLPage) {
        page.add("<section aria-labelledby=\"regressions-title\">")
        page.add("<h2 id=\"regressions-title\">Regressions (\(comparison.regressions.count))</h2>")
        guard !comparison.regressions.isEmpty else {
            page.add("<p>No item got worse on any metric.</p>")
            page.add("</section>")
            return
        }
        page.add("<div class=\"scroll\">")
        page.add("<table>")
        page.add("<caption>Items that got worse, worst first</caption>")
        page.add(
            "<thead><tr><th scope=\"col\">Item</th><th scope=\"col\">Question</th><th scope=\"col\">Metric</th>"
                + "<th scope=\"col\">Baseline → candidate</th></tr></thead>")
        page.add("<tbody>")
        for regression in comparison.regressions.prefix(regressionRowLimit) {
            let unit = unit(of: regression.metric)
            let question = ReportEscaping.html(
                ReportEscaping.truncated(regression.question, to: questionCharacterLimit), breakLines: true)
            page.add(
                "<tr><th scope=\"row\">\(ReportEscaping.html(regression.itemID))</th><td>\(question)</td>"
                    + "<td>\(ReportEscaping.html(regression.metric))</td>"
                    + "<td class=\"number\">\(unit.format(regression.baseline)) → \(unit.format(regression.candidate))</td></tr>")
        }
        page.add("</tbody>")
        page.add("</table>")
        page.add("</div>")
        let more = comparison.regressions.count - regressionRowLimit
        if more > 0 { page.add("<p>…and \(more) more.</p>") }
        page.add("</section>")
    }
}

/// Lines of HTML as they are written.
private struct HTMLPage {
    private var lines: [String] = []
    mutating func add(_ line: String) { lines.append(line) }
    var text: String { lines.joined(separator: "\n") + "\n" }
}
