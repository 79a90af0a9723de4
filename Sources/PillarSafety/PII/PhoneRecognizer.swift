/// International and national phone numbers with 8–15 digits. Without a `+`/`00` prefix, a US-style shape or a
/// national trunk `0`, a number is accepted only after a context word such as "phone", "Telefon" or "téléphone".
public struct PhoneRecognizer: PIIRecognizer {
    public let name = "phone"
    public let type = PIIType.phone
    public init() {}

    private static let candidate = PIIPattern(
        #"(?<![\w+.\-/,:])(?:\+\s?)?\(?\d[\d \-.()]{5,24}\d(?!\w|[.\-/:,]\d)"#
    )
    private static let context = PIIPattern(
        #"\b(?:phone|tel|tél|telephone|call|ring|mobile|mobil|cell|cellphone|fax|sms|text|whatsapp|telefon|telefonnummer|handy|rufnummer|anrufen|téléphone|portable|numéro|joindre|appelez|teléfono|telefono|móvil|movil|llámame|llamar|cellulare|chiama|chiamami|bel|bellen|mobiel|telefoonnummer|reach)\b"#,
        caseInsensitive: true
    )
    private static let negativeContext = PIIPattern(
        #"\b(?:isbn|issn|ean|order|invoice|tracking|serial|ref|reference|article|artikel|artikelnummer|bestelling|pedido|commande|colis|iban|account|konto|sku|part|extension|ext|id|population|version|build|kundennummer|rechnung|factura|fattura)\b"#,
        caseInsensitive: true
    )
    private static let nanp = PIIPattern(#"^(?:\(\d{3}\)\s?|\d{3}[\-. ])\d{3}[\-. ]\d{4}$"#)
    private static let dateLike = PIIPattern(#"^(?:\d{4}[\-. ]\d{1,2}[\-. ]\d{1,2}|\d{1,2}[\-. ]\d{1,2}[\-. ]\d{2,4})$"#)
    private static let ssnShape = PIIPattern(#"^\d{3}[\- ]\d{2}[\- ]\d{4}$"#)
    /// An upper-case code word right before the digits ("NWBK 6016…", "ABNA 0417…"): part of an IBAN or product code.
    private static let codePrefix = PIIPattern(#"(?<![\w])(?=[A-Z0-9]*[A-Z])[A-Z0-9]{2,}[ \-]$"#)
    private static let doubleSeparator = PIIPattern(#"[ \-.]{2,}|[()]{2,}"#)

    public func findings(in text: String) -> [PIIFinding] {
        Self.candidate.matches(in: text).compactMap { groups in
            guard let range = groups[0], let confidence = confidence(for: range, in: text) else { return nil }
            return PIIFinding(type: .phone, range: range, confidence: confidence, recognizer: name)
        }
    }

    func confidence(for range: Range<String.Index>, in text: String) -> Double? {
        let candidate = text[range]
        let digits = candidate.filter(\.isASCIIDigit)
        guard (8...15).contains(digits.count) else { return nil }
        let body = candidate.replacingOccurrences(of: "+", with: "")
        if Self.doubleSeparator.isMatch(body.replacingOccurrences(of: ") ", with: ")")) { return nil }
        if Self.dateLike.isMatch(candidate) { return nil }
        // Parentheses must be balanced and wrap digits only, e.g. "(415)".
        if candidate.filter({ $0 == "(" }).count != candidate.filter({ $0 == ")" }).count { return nil }
        let usesDots = candidate.contains(".")
        let isNANP =
            Self.nanp.isMatch(candidate) && !candidate.hasPrefix("0") && !candidate.hasPrefix("1")
            && !candidate.hasPrefix("(0") && !candidate.hasPrefix("(1")
        if usesDots && !isNANP { return nil }

        let window = TextWindow.before(range.lowerBound, in: text, count: 30)
        let hasContext = Self.context.isMatch(window)
        let hasPlus = candidate.hasPrefix("+")
        let separators = candidate.filter { !$0.isASCIIDigit && $0 != "+" }
        if !hasPlus && !hasContext {
            if Self.negativeContext.isMatch(window) || Self.codePrefix.isMatch(window) { return nil }
            if Self.ssnShape.isMatch(candidate) { return nil }
        }

        if hasPlus {
            return hasContext ? 0.95 : 0.9
        }
        if candidate.hasPrefix("00") && !candidate.hasPrefix("000") && digits.count >= 10 && !separators.isEmpty {
            return hasContext ? 0.9 : 0.8
        }
        if isNANP {
            return hasContext ? 0.9 : 0.8
        }
        let groups = candidate.split(whereSeparator: { $0 == " " || $0 == "-" })
        if candidate.hasPrefix("0") && groups.count >= 2 && (9...12).contains(digits.count)
            && !separators.contains(where: { $0 == "(" || $0 == ")" })
        {
            return hasContext ? 0.85 : 0.6
        }
        if hasContext {
            // A bare run of digits needs at least 10 of them to be read as a phone number.
            if separators.isEmpty && digits.count < 10 { return nil }
            return 0.7
        }
        return nil
    }
}
