/// US Social Security numbers `AAA-GG-SSSS` (or with spaces); a bare nine-digit run only after
/// "SSN"/"social security" context. Area, group and serial rules and known fakes are enforced.
public struct USSSNRecognizer: PIIRecognizer {
    public let name = "us_ssn"
    public let type = PIIType.usSSN
    public init() {}

    private static let separated = PIIPattern(#"(?<![\w\-])(\d{3})([\- ])(\d{2})\2(\d{4})(?![\w]|-\d)"#)
    private static let bare = PIIPattern(#"(?<![\w\-])\d{9}(?![\w]|-\d)"#)
    private static let context = PIIPattern(
        #"\b(?:ssn|ss#|social security|soc\.? sec\.?|seguro social|sécurité sociale|sozialversicherungsnummer|previdenza sociale)"#,
        caseInsensitive: true
    )

    public func findings(in text: String) -> [PIIFinding] {
        var found: [PIIFinding] = []
        for groups in Self.separated.matches(in: text) {
            guard let range = groups[0], PIIValidators.ssnValid(text[range]) else { continue }
            let hasContext = Self.context.isMatch(TextWindow.before(range.lowerBound, in: text, count: 40))
            let hyphen = text[range].contains("-")
            let confidence = hasContext ? 0.95 : (hyphen ? 0.85 : 0.45)
            found.append(PIIFinding(type: .usSSN, range: range, confidence: confidence, recognizer: name))
        }
        for groups in Self.bare.matches(in: text) {
            guard let range = groups[0], PIIValidators.ssnValid(text[range]) else { continue }
            guard Self.context.isMatch(TextWindow.before(range.lowerBound, in: text, count: 40)) else { continue }
            found.append(PIIFinding(type: .usSSN, range: range, confidence: 0.85, recognizer: name))
        }
        return found
    }
}
