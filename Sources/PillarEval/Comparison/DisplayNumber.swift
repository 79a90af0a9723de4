import Foundation

/// Numbers as the sentences of warnings and gate verdicts show them: `4.0`, `0.8123`, `1250.5`, `3.2e-05`.
enum DisplayNumber {
    /// Up to 4 decimals with trailing zeros dropped (one kept, so a threshold reads `4.0`); values too small
    /// for that in scientific notation, so a tiny p-value does not read as 0.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-inf" : "inf") }
        if value != 0, abs(value) < 0.0001 {
            return String(format: "%.2g", value)
        }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0"), !text.hasSuffix(".0") { text.removeLast() }
        return text == "-0.0" ? "0.0" : text
    }
}
