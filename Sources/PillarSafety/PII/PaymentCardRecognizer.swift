/// Payment card numbers: 13–19 digits, optionally grouped by single spaces or hyphens, Luhn-checked.
/// Known issuer prefixes (IIN) give high confidence; a Luhn-valid number without one gets low confidence.
public struct PaymentCardRecognizer: PIIRecognizer {
    public let name = "payment_card"
    public let type = PIIType.paymentCard
    public init() {}

    private static let candidate = PIIPattern(#"(?<![\w\-.,/])\d(?:[ \-]?\d){12,22}(?![\w]|[\-.,/]\d)"#)

    public func findings(in text: String) -> [PIIFinding] {
        Self.candidate.matches(in: text).compactMap { groups in
            guard let range = groups[0] else { return nil }
            return bestCard(in: range, text: text)
        }
    }

    /// Tries the whole candidate, then shorter runs of whole groups, longest first.
    private func bestCard(in range: Range<String.Index>, text: String) -> PIIFinding? {
        let candidate = text[range]
        let separators = Set(candidate.filter { $0 == " " || $0 == "-" })
        guard separators.count <= 1 else { return nil }
        // Group boundaries as ranges of digits.
        var groups: [Range<String.Index>] = []
        var start = candidate.startIndex
        for index in candidate.indices where candidate[index] == " " || candidate[index] == "-" {
            groups.append(start..<index)
            start = candidate.index(after: index)
        }
        groups.append(start..<candidate.endIndex)
        for length in stride(from: groups.count, through: 1, by: -1) {
            for first in 0...(groups.count - length) {
                let span = groups[first].lowerBound..<groups[first + length - 1].upperBound
                let digits = candidate[span].filter(\.isASCIIDigit)
                guard (13...19).contains(digits.count), PIIValidators.luhn(digits) else { continue }
                if groups.count > 1 && length < groups.count && candidate[groups[first]].count < 4 { continue }
                let confidence = Self.issuer(of: digits) != nil ? 0.9 : 0.3
                return PIIFinding(type: .paymentCard, range: span, confidence: confidence, recognizer: name)
            }
        }
        return nil
    }

    /// The card network for a digit string, from its issuer identification number.
    public static func issuer(of digits: String) -> String? {
        let chars = Array(digits)
        guard chars.count >= 6 else { return nil }
        func prefix(_ n: Int) -> Int { Int(String(chars[0..<n])) ?? -1 }
        let count = chars.count
        switch true {
        case (prefix(2) == 34 || prefix(2) == 37) && count == 15: return "amex"
        case chars[0] == "4" && [13, 16, 19].contains(count): return "visa"
        case (51...55).contains(prefix(2)) && count == 16: return "mastercard"
        case (2221...2720).contains(prefix(4)) && count == 16: return "mastercard"
        case (prefix(4) == 6011 || prefix(2) == 65 || (644...649).contains(prefix(3))) && (16...19).contains(count):
            return "discover"
        case (3528...3589).contains(prefix(4)) && (16...19).contains(count): return "jcb"
        case ((300...305).contains(prefix(3)) || prefix(2) == 36 || prefix(2) == 38 || prefix(2) == 39)
            && (14...19).contains(count):
            return "diners"
        case prefix(2) == 62 && (16...19).contains(count): return "unionpay"
        default: return nil
        }
    }
}
