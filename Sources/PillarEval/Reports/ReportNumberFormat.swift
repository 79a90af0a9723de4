import Foundation

/// How a metric's numbers read in a report, by what its name says it counts: plain scores (0-1, or 1-5 for
/// judges), milliseconds, US dollars or tokens.
public enum ReportUnit: Sendable, Hashable {
    case plain
    case milliseconds
    case dollars
    case tokens

    /// `latency_ms` reads in milliseconds, `cost_usd` in dollars, `total_tokens` in tokens; the rest are plain.
    public init(metricName: String) {
        let name = metricName.lowercased()
        if name.hasSuffix("_ms") {
            self = .milliseconds
        } else if name.hasSuffix("_usd") {
            self = .dollars
        } else if name.hasSuffix("tokens") {
            self = .tokens
        } else {
            self = .plain
        }
    }

    /// The unit's name as a chart axis or a reader would say it; empty for plain scores.
    public var label: String {
        switch self {
        case .plain: return ""
        case .milliseconds: return "ms"
        case .dollars: return "USD"
        case .tokens: return "tokens"
        }
    }

    /// `0.833`, `1234.5 ms`, `0.0123 USD`, `812.3 tokens`; `n/a` for no value.
    public func format(_ value: Double?) -> String { render(value, signed: false) }

    /// As `format`, with a `+` in front of positive values: for differences.
    public func formatSigned(_ value: Double?) -> String { render(value, signed: true) }

    private func render(_ value: Double?, signed: Bool) -> String {
        guard let value else { return ReportNumberFormat.missing }
        guard value.isFinite else { return ReportNumberFormat.nonFinite(value) }
        let magnitude = Swift.abs(value)
        let digits: String
        switch self {
        case .plain:
            digits = ReportNumberFormat.threeDecimals(magnitude)
        case .milliseconds, .tokens:
            digits = String(format: "%.1f", magnitude)
        case .dollars:
            // A whole run costs dollars and cents; one answer can cost a small fraction of a cent.
            digits = magnitude >= 1 || magnitude == 0 ? String(format: "%.2f", magnitude) : String(format: "%.3g", magnitude)
        }
        let sign = ReportNumberFormat.sign(of: value, digits: digits, signed: signed)
        return label.isEmpty ? sign + digits : sign + digits + " " + label
    }
}

/// Number formats every report shares.
public enum ReportNumberFormat {
    static let missing = "n/a"

    /// `0.042`; `<0.001` below a thousandth.
    public static func pValue(_ value: Double?) -> String {
        guard let value else { return missing }
        guard value.isFinite else { return nonFinite(value) }
        if value < 0.001 { return "<0.001" }
        return String(format: "%.3f", value)
    }

    /// Three decimals; below that, three significant digits, so a small non-zero value does not read as 0.
    static func threeDecimals(_ magnitude: Double) -> String {
        if magnitude > 0 && magnitude < 0.0005 { return String(format: "%.3g", magnitude) }
        return String(format: "%.3f", magnitude)
    }

    static func sign(of value: Double, digits: String, signed: Bool) -> String {
        // A value that rounds to zero prints without a sign, so `-0.000` never appears.
        let roundsToZero = digits.allSatisfy { $0 == "0" || $0 == "." }
        if roundsToZero { return "" }
        if value < 0 { return "-" }
        return signed ? "+" : ""
    }

    static func nonFinite(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        return value < 0 ? "-inf" : "inf"
    }

    /// `37.5%`.
    static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return missing }
        return String(format: "%.1f%%", Double(part) / Double(whole) * 100)
    }
}
