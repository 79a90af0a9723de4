import Foundation
import Testing

@testable import PillarEval

@Suite struct ComparisonReportHTMLTests {
    /// Stands in for plotly.min.js: it carries the two sequences an inlined script must not keep.
    static let fakePlotly = "window.Plotly = { newPlot: function () { return Promise.resolve(); } }; var s = \"</SCRIPT><!-- x\";"
    let html = ComparisonReport.html(ReportFixture.comparison(), plotlyScript: Self.fakePlotly)

    @Test func isOneAccessiblePage() {
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.contains("<title>Evaluation comparison: run-base → run-cand</title>"))
        // Every table has a caption, and every header cell a scope.
        #expect(ReportFixture.occurrences(of: "<table>", in: html) == 2 + ReportFixture.comparison().metrics.count)
        #expect(
            ReportFixture.occurrences(of: "<table>\n<caption>", in: html) == ReportFixture.occurrences(of: "<table>", in: html))
        #expect(ReportFixture.occurrences(of: "<th>", in: html) == 0)
        #expect(html.contains("<th scope=\"row\">Flow</th><td>rag@3</td><td>rag@4</td>"))
        #expect(html.contains("<caption>latency_ms: lower is better</caption>"))
        // No network: nothing is loaded from elsewhere, and the policy forbids it.
        #expect(!html.contains("src="))
        #expect(!html.contains("href="))
        #expect(html.contains("default-src 'none'"))
    }

    @Test func saysWhatTheMarkdownSays() throws {
        #expect(html.contains("<h3 id=\"metric-0-title\">facts_recall: <span class=\"verdict\">better</span></h3>"))
        #expect(
            html.contains(
                "<th scope=\"row\">facts_recall</th><td class=\"number\">0.700</td><td class=\"number\">0.850</td>"
                    + "<td class=\"number\">+0.150</td><td class=\"number\">+0.050 to +0.250</td><td class=\"number\">0.004</td>"
                    + "<td class=\"number\">4</td><td class=\"number\">0.500</td><td class=\"number\">0.650</td><td><strong>better</strong></td>"
            ))
        #expect(html.contains("<td class=\"number\">&lt;0.001</td>"))
        #expect(html.contains("<strong>worse</strong>"))
        #expect(html.contains("<strong>not comparable</strong>"))
        #expect(html.contains("<span class=\"flag-marker\">judge FLAGGED</span>"))
        #expect(html.contains("<p class=\"flag\"><strong>FLAGGED</strong>:"))
        #expect(html.contains("Cohen&#39;s kappa 0.410 over 40 items"))
        #expect(html.contains("<h2 id=\"warnings-title\">"))
        #expect(html.contains("<p>…and 5 more.</p>"))
        #expect(ReportFixture.occurrences(of: "<tr><th scope=\"row\">item-", in: html) == ComparisonReport.regressionRowLimit - 1)
        let warnings = try #require(html.range(of: "warnings-title"))
        let runs = try #require(html.range(of: "runs-title"))
        #expect(warnings.lowerBound < runs.lowerBound)
    }

    @Test func hostileTextIsEscapedEverywhere() {
        #expect(
            html.contains("<td>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; | pipe<br>second line &lt;!-- comment</td>"))
        #expect(html.contains("<th scope=\"row\">q|4&lt;/script&gt;&lt;!--</th>"))
        #expect(html.contains("rag-answer@3, judge&lt;b&gt;@1"))
        #expect(html.contains("<li>Flagged judge &lt;!-- judge-groundedness@1 --&gt;</li>"))
        // The page's only script elements are the three it writes, each closed once; no comment opener anywhere.
        #expect(ReportFixture.occurrences(of: "<script", in: html.lowercased()) == 3)
        #expect(ReportFixture.occurrences(of: "</script", in: html.lowercased()) == 3)
        #expect(!html.contains("<!--"))
        #expect(html.contains("var s = \"\\x3C/SCRIPT>\\x3C!-- x\";"))
    }

    @Test func dataBlockParsesBackToTheComparison() throws {
        let block = try #require(ReportFixture.dataBlock(of: html))
        #expect(!block.contains("<"))
        #expect(block.contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"))
        let decoded = try JSONDecoder().decode(EvalComparison.self, from: Data(block.utf8))
        #expect(decoded == ReportFixture.comparison())
    }

    @Test func chartsHaveTheirPlaces() {
        let metrics = ReportFixture.comparison().metrics.count
        #expect(ReportFixture.occurrences(of: "data-chart=\"distribution\"", in: html) == metrics)
        #expect(ReportFixture.occurrences(of: "data-chart=\"item-deltas\"", in: html) == metrics)
        #expect(ReportFixture.occurrences(of: "data-chart=\"all-deltas\"", in: html) == 1)
        #expect(html.contains("data-metric=\"1\" data-unit=\"ms\" data-direction=\"lower is better\""))
        #expect(html.contains("Plotly.newPlot"))
        #expect(!html.contains("<svg"))
    }

    @Test func withoutPlotlyTheTablesStayAndChartsAreSaidUnavailable() throws {
        let page = ComparisonReport.html(ReportFixture.comparison(), plotlyScript: "")
        #expect(page.contains("Charts are unavailable: this report was written without plotly.js."))
        #expect(!page.contains("data-chart="))
        #expect(!page.contains("Plotly"))
        #expect(ReportFixture.occurrences(of: "<table>", in: page) == 2 + ReportFixture.comparison().metrics.count)
        #expect(ReportFixture.occurrences(of: "<script", in: page) == 1)
        let block = try #require(ReportFixture.dataBlock(of: page))
        #expect(try JSONDecoder().decode(EvalComparison.self, from: Data(block.utf8)) == ReportFixture.comparison())
    }

    @Test func nonFiniteNumbersStillMakeAPage() throws {
        let comparison = ReportFixture.comparison(delta: .nan)
        let page = ComparisonReport.html(comparison, plotlyScript: Self.fakePlotly)
        #expect(page.contains("<td class=\"number\">NaN</td>"))
        let block = try #require(ReportFixture.dataBlock(of: page))
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let decoded = try decoder.decode(EvalComparison.self, from: Data(block.utf8))
        #expect(decoded.metrics[0].delta?.isNaN == true)
        #expect(decoded.metrics[1] == comparison.metrics[1])
    }
}

@Suite struct ComparisonReportJSONTests {
    @Test func encodesSortedAndPrettyAndDecodesBack() throws {
        let data = try ComparisonReport.json(ReportFixture.comparison())
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"baseline\" : {"))
        let keys = [
            "\"baseline\"", "\"bootstrap_resamples\"", "\"candidate\"", "\"items\"", "\"metrics\"", "\"regressions\"", "\"seed\"",
            "\"warnings\"",
        ]
        let positions = keys.compactMap { text.range(of: "\n  \($0) :")?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted())
        #expect(text.contains("\"cost_usd\" : 1.2345"))
        #expect(try JSONDecoder().decode(EvalComparison.self, from: data) == ReportFixture.comparison())
    }

    @Test func aNonFiniteNumberIsAClearError() {
        do {
            _ = try ComparisonReport.json(ReportFixture.comparison(delta: .infinity))
            Issue.record("an infinite delta was written as JSON")
        } catch let error as ReportError {
            #expect(error.code == "report.non_finite_number")
            #expect(error.message.contains("metrics[0].delta"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
