/// `local@domain.tld` with a TLD of two or more letters. Skips the `password@host` tail of URL userinfo,
/// which `CredentialRecognizer` handles.
public struct EmailRecognizer: PIIRecognizer {
    public let name = "email"
    public let type = PIIType.email
    public init() {}

    private static let pattern = PIIPattern(
        #"(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}._%+\-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])"#
    )

    public func findings(in text: String) -> [PIIFinding] {
        guard text.contains("@") else { return [] }
        return Self.pattern.matches(in: text).compactMap { groups in
            guard let range = groups[0] else { return nil }
            let local = text[range.lowerBound..<(text[range].firstIndex(of: "@") ?? range.upperBound)]
            if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") { return nil }
            if Self.isInsideURLUserinfo(range, in: text) { return nil }
            return PIIFinding(type: .email, range: range, confidence: 0.95, recognizer: name)
        }
    }

    /// True when the whitespace-delimited token holding the match contains `://` before it.
    static func isInsideURLUserinfo(_ range: Range<String.Index>, in text: String) -> Bool {
        let before = TextWindow.before(range.lowerBound, in: text, count: 200)
        let token = before.split(omittingEmptySubsequences: false, whereSeparator: { $0.isWhitespace }).last ?? ""
        return token.contains("://")
    }
}
