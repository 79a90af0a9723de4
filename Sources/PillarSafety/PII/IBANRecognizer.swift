/// IBANs: country code, two check digits and the BBAN, compact or grouped by spaces in fours;
/// the length must match the country and the mod-97 checksum must be 1.
public struct IBANRecognizer: PIIRecognizer {
    public let name = "iban"
    public let type = PIIType.iban
    public init() {}

    /// IBAN length by country (ISO 13616 registry, SEPA and common others).
    public static let lengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
        "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
        "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
        "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21,
        "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30,
        "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
        "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    ]

    private static let candidate = PIIPattern(#"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,32}"#)

    public func findings(in text: String) -> [PIIFinding] {
        Self.candidate.matches(in: text).compactMap { groups in
            guard let range = groups[0] else { return nil }
            return validated(range, in: text)
        }
    }

    /// Cuts the candidate at the country's length and checks grouping and checksum.
    private func validated(_ range: Range<String.Index>, in text: String) -> PIIFinding? {
        let candidate = text[range]
        let country = String(candidate.prefix(2))
        guard let length = Self.lengths[country] else { return nil }
        var taken = 0
        var end = candidate.startIndex
        var index = candidate.startIndex
        while index < candidate.endIndex && taken < length {
            if candidate[index] != " " { taken += 1 }
            index = candidate.index(after: index)
            end = index
        }
        guard taken == length else { return nil }
        // The IBAN must end at a token boundary, not in the middle of a group.
        if end < text.endIndex, text[end].isLetter || text[end].isNumber { return nil }
        let value = candidate[candidate.startIndex..<end]
        if value.contains(" ") {
            let parts = value.split(separator: " ")
            guard parts.dropLast().allSatisfy({ $0.count == 4 }), let last = parts.last, last.count <= 4 else { return nil }
        }
        guard PIIValidators.ibanChecksumValid(value) else { return nil }
        return PIIFinding(type: .iban, range: range.lowerBound..<end, confidence: 0.95, recognizer: name)
    }
}
