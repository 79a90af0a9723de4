import Foundation

/// The comparison of two evaluation runs written for people (Markdown, a self-contained HTML page) and for
/// programs (JSON). Every format says the same things, all read from one `EvalComparison`.
public enum ComparisonReport {
    /// How many regressions the tables list before saying how many more there are.
    public static let regressionRowLimit = 25
    /// How many characters of a question a table shows.
    public static let questionCharacterLimit = 200

    /// The comparison as JSON: sorted keys, pretty-printed. Throws `report.non_finite_number` when a number
    /// is NaN or infinite (JSON has no such numbers).
    public static func json(_ comparison: EvalComparison) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return try encoder.encode(comparison)
        } catch let EncodingError.invalidValue(value, context) {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            if let number = value as? Double, !number.isFinite {
                throw ReportError(
                    code: "report.non_finite_number",
                    message: "The comparison holds \(number) at \(path.isEmpty ? "the top" : path), which JSON cannot hold.")
            }
            throw ReportError(
                code: "report.unencodable",
                message: "The comparison cannot be written as JSON at \(path): \(context.debugDescription)")
        } catch {
            throw ReportError(code: "report.unencodable", message: "The comparison cannot be written as JSON: \(error)")
        }
    }

    /// The comparison as JSON for the HTML page's data block: NaN and infinities become the strings `NaN`,
    /// `Infinity`, `-Infinity` (the charts skip them) so the page can always be written.
    static func chartJSON(_ comparison: EvalComparison) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        guard let data = try? encoder.encode(comparison) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func unit(of metricName: String) -> ReportUnit { ReportUnit(metricName: metricName) }

    static func directionPhrase(_ direction: EvalMetric.Direction) -> String {
        switch direction {
        case .higherIsBetter: return "higher is better"
        case .lowerIsBetter: return "lower is better"
        }
    }

    /// `Higher is better.`: the first letter upper-cased and a full stop.
    static func sentence(_ phrase: String) -> String { phrase.prefix(1).uppercased() + phrase.dropFirst() + "." }

    /// `pass^3`: k is the run's repeats.
    static func passKLabel(repeats: Int) -> String { "pass^\(repeats)" }

    static func interval(_ metric: EvalComparison.MetricComparison, unit: ReportUnit) -> String {
        guard metric.intervalLow != nil || metric.intervalHigh != nil else { return ReportNumberFormat.missing }
        return "\(unit.formatSigned(metric.intervalLow)) to \(unit.formatSigned(metric.intervalHigh))"
    }

    static func runCost(_ run: EvalComparison.RunSummary) -> String { ReportUnit.dollars.format(run.costUSD) }

    static func prompts(_ run: EvalComparison.RunSummary) -> [String] { run.prompts.isEmpty ? ["none"] : run.prompts }

    /// What one judge line says, without markup; the caller escapes it for its format.
    static func judgeSummary(_ judge: EvalComparison.JudgeReliability) -> String {
        let plain = ReportUnit.plain
        return "Judge \(judge.prompt): Cohen's kappa \(plain.format(judge.kappa)) over \(judge.kappaItems) items; "
            + "Spearman's rho \(plain.format(judge.spearman)) over \(judge.spearmanItems) items; "
            + "repeat SD \(plain.format(judge.repeatStandardDeviation)); minimum agreement \(plain.format(judge.minimumAgreement))."
    }

    static func flaggedSummary(_ judge: EvalComparison.JudgeReliability) -> String {
        "this judge agrees with people less than the minimum of \(ReportUnit.plain.format(judge.minimumAgreement)); "
            + "do not trust its scores (or this metric's verdict) on their own."
    }

    static func methodNote(_ comparison: EvalComparison) -> String {
        "Delta is candidate minus baseline over the items both runs scored (each item's mean over its repeats). "
            + "The 95% interval is a paired bootstrap (\(comparison.bootstrapResamples) resamples, seed \(comparison.seed)); "
            + "p is a two-sided paired permutation test. Verdicts: better or worse when p < 0.05, by the metric's direction; "
            + "not comparable with fewer than 2 paired items."
    }
}
