import Testing

@testable import PillarEval

@Suite struct ReportFormattingTests {
    @Test func plainNumbersHaveThreeDecimals() {
        #expect(ReportUnit.plain.format(0.83333) == "0.833")
        #expect(ReportUnit.plain.format(4) == "4.000")
        #expect(ReportUnit.plain.format(0.0004123) == "0.000412")
        #expect(ReportUnit.plain.formatSigned(0.05) == "+0.050")
        #expect(ReportUnit.plain.formatSigned(-0.05) == "-0.050")
        #expect(ReportUnit.plain.formatSigned(-0.0) == "0.000")
        #expect(ReportUnit.plain.formatSigned(0) == "0.000")
        #expect(ReportUnit.plain.format(nil) == "n/a")
        #expect(ReportUnit.plain.format(.nan) == "NaN")
        #expect(ReportUnit.plain.formatSigned(-.infinity) == "-inf")
    }

    @Test func unitsComeFromTheMetricName() {
        #expect(ReportUnit(metricName: "latency_ms").format(1234.56) == "1234.6 ms")
        #expect(ReportUnit(metricName: "cost_usd").format(12.3456) == "12.35 USD")
        #expect(ReportUnit(metricName: "cost_usd").formatSigned(-0.0001234) == "-0.000123 USD")
        #expect(ReportUnit(metricName: "cost_usd").format(0) == "0.00 USD")
        #expect(ReportUnit(metricName: "total_tokens").formatSigned(12.26) == "+12.3 tokens")
        #expect(ReportUnit(metricName: "facts_recall") == .plain)
    }

    @Test func pValuesBelowAThousandthReadAsSuch() {
        #expect(ReportNumberFormat.pValue(0.0009999) == "<0.001")
        #expect(ReportNumberFormat.pValue(0) == "<0.001")
        #expect(ReportNumberFormat.pValue(0.001) == "0.001")
        #expect(ReportNumberFormat.pValue(0.0426) == "0.043")
        #expect(ReportNumberFormat.pValue(nil) == "n/a")
    }

    @Test func verdictsFollowTheDirectionAndTheLevel() {
        func metric(_ direction: EvalMetric.Direction, delta: Double?, p: Double?, pairs: Int = 10)
            -> EvalComparison.MetricComparison
        {
            .init(
                name: "m", direction: direction, baselineMean: 0, candidateMean: 0, delta: delta, intervalLow: nil,
                intervalHigh: nil,
                pValue: p, pairs: pairs, baselinePassK: nil, candidatePassK: nil, baselineValues: [], candidateValues: [])
        }
        #expect(ComparisonVerdict(metric(.higherIsBetter, delta: 0.1, p: 0.01)) == .better)
        #expect(ComparisonVerdict(metric(.higherIsBetter, delta: -0.1, p: 0.01)) == .worse)
        #expect(ComparisonVerdict(metric(.lowerIsBetter, delta: 0.1, p: 0.01)) == .worse)
        #expect(ComparisonVerdict(metric(.lowerIsBetter, delta: -0.1, p: 0.01)) == .better)
        #expect(ComparisonVerdict(metric(.higherIsBetter, delta: 0.1, p: 0.05)) == .noSignificantDifference)
        #expect(ComparisonVerdict(metric(.higherIsBetter, delta: 0.1, p: 0.01, pairs: 1)) == .notComparable)
        #expect(ComparisonVerdict(metric(.higherIsBetter, delta: 0.1, p: nil)) == .notComparable)
        #expect(ComparisonVerdict(metric(.higherIsBetter, delta: 0.1, p: .nan)) == .notComparable)
        #expect(ComparisonVerdict(metric(.higherIsBetter, delta: nil, p: 0.01)) == .notComparable)
    }

    @Test func escapingKeepsTextAsText() {
        #expect(ReportEscaping.markdown("a|b\r\nc\u{1B}[31m") == "a\\|b<br>c\u{FFFD}\\[31m")
        #expect(
            ReportEscaping.html("<a href='x'>&</a>\nnext", breakLines: true)
                == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;<br>next")
        #expect(ReportEscaping.html("one\ntwo") == "one two")
        #expect(
            ReportEscaping.jsonForScriptElement("{\"q\":\"</script><!--&\u{2028}\"}")
                == "{\"q\":\"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\"}")
        #expect(
            ReportEscaping.scriptForInlining("a=\"</ScRiPt>\";b=\"<!--\";c=1<2;d=\"</div>\"")
                == "a=\"\\x3C/ScRiPt>\";b=\"\\x3C!--\";c=1<2;d=\"</div>\"")
        #expect(ReportEscaping.truncated("abcdef", to: 3) == "abc…")
        #expect(ReportEscaping.truncated("abc", to: 3) == "abc")
    }
}
