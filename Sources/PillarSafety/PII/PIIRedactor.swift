import Crypto
import Foundation

/// What to do with personal data found in a text.
public enum PIIAction: String, Sendable, Hashable, Codable, CaseIterable {
    case redact, mask, pseudonymize, block
}

/// Rewrites a text according to a `PIIAction`.
public struct PIIRedactor: Sendable {
    public let action: PIIAction
    private let pseudonymKey: SymmetricKey?

    /// `pseudonymKey` is required for `.pseudonymize` (a per-tenant secret). Without one, `.pseudonymize`
    /// falls back to `.redact` so that nothing leaks.
    public init(action: PIIAction, pseudonymKey: SymmetricKey? = nil) {
        self.action = action
        self.pseudonymKey = pseudonymKey
    }

    /// The text with each finding replaced (see `PIIAction`); `.block` returns the text unchanged.
    /// Findings that overlap an earlier one are skipped.
    public func apply(to text: String, findings: [PIIFinding]) -> String {
        guard action != .block, !findings.isEmpty else { return text }
        let ordered = findings.sorted { $0.range.lowerBound < $1.range.lowerBound }
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var cursor = text.startIndex
        for finding in ordered {
            guard finding.range.lowerBound >= cursor, finding.range.upperBound <= text.endIndex else { continue }
            output += text[cursor..<finding.range.lowerBound]
            output += replacement(for: text[finding.range], type: finding.type)
            cursor = finding.range.upperBound
        }
        output += text[cursor...]
        return output
    }

    /// The replacement for one value under this redactor's action.
    public func replacement(for value: Substring, type: PIIType) -> String {
        switch action {
        case .block: String(value)
        case .redact: type.placeholder
        case .mask: Self.mask(value, type: type)
        case .pseudonymize:
            if let key = pseudonymKey { Self.pseudonym(for: value, type: type, key: key) } else { type.placeholder }
        }
    }

    static func mask(_ value: Substring, type: PIIType) -> String {
        switch type {
        case .email:
            guard let at = value.lastIndex(of: "@") else { return String(repeating: "*", count: value.count) }
            return String(repeating: "*", count: value[..<at].count) + value[at...]
        case .paymentCard, .iban, .phone:
            let keep = min(4, value.count)
            return String(repeating: "*", count: value.count - keep) + value.suffix(keep)
        default:
            return String(repeating: "*", count: value.count)
        }
    }

    /// `<TYPE_xxxxxxxx>`: first 8 hex digits of HMAC-SHA256(key, type + ":" + normalised value).
    public static func pseudonym(for value: some StringProtocol, type: PIIType, key: SymmetricKey) -> String {
        let message = type.rawValue + ":" + normalise(value, type: type)
        let code = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)
        let hex = code.prefix(4).map { String(format: "%02x", $0) }.joined()
        return "<\(type.tag)_\(hex)>"
    }

    /// Canonical form so that equal values get equal pseudonyms.
    public static func normalise(_ value: some StringProtocol, type: PIIType) -> String {
        switch type {
        case .email: value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        case .phone, .paymentCard, .usSSN: String(value.filter(\.isASCIIDigit))
        case .iban: String(value.filter { !$0.isWhitespace }).uppercased()
        case .ipAddress: value.lowercased()
        default: value.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
