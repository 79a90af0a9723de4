/// Dates (ISO, numeric with `/ . -`, and written-out months in en/de/fr/es/it/nl) that follow birth context
/// ("born", "DOB", "date of birth", "né le", "geboren", "nacido", "data di nascita", …) within ~40 characters.
/// A bare date is not reported.
public struct DateOfBirthRecognizer: PIIRecognizer {
    public let name = "date_of_birth"
    public let type = PIIType.dateOfBirth
    public init() {}

    static let monthNames: [String] = [
        // en
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        // de
        "januar", "jänner", "februar", "märz", "mai", "juni", "juli", "oktober", "dezember",
        // fr
        "janvier", "février", "mars", "avril", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre",
        // es
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre",
        "octubre", "noviembre", "diciembre",
        // it
        "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre",
        // nl
        "januari", "februari", "maart", "mei", "augustus",
    ]

    private static let dates: PIIPattern = {
        let months = Set(monthNames).sorted { $0.count > $1.count }.joined(separator: "|")
        let year = #"(?:18|19|20)\d{2}"#
        return PIIPattern(
            #"(?<![\w.\-/])(?:"# + year + #"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"# + "|" + #"\d{1,2}([./\-])\d{1,2}\1"#
                + year + "|" + #"\d{1,2}(?:\.|er|st|nd|rd|th|º)?\s+(?:de\s+)?(?:"# + months + #")\.?\s+(?:de\s+)?"# + year + "|"
                + #"(?:"# + months + #")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+"# + year + #")(?![\w]|[.\-/]\d)"#,
            caseInsensitive: true
        )
    }()

    private static let context = PIIPattern(
        #"(?:\b(?:born|dob|birthday|birthdate|birth date|date of birth|geboren|geburtsdatum|geburtstag|nacido|nacida|nacimiento|nascita|nato|nata|geboortedatum|naissance|n[ée]e?\s+le)\b|\bd\.o\.b\.?)"#,
        caseInsensitive: true
    )

    public func findings(in text: String) -> [PIIFinding] {
        guard text.contains(where: \.isASCIIDigit) else { return [] }
        return Self.dates.matches(in: text).compactMap { groups in
            guard let range = groups[0], Self.isPlausible(text[range]) else { return nil }
            let window = TextWindow.before(range.lowerBound, in: text, count: 40)
            guard Self.context.isMatch(window) else { return nil }
            return PIIFinding(type: .dateOfBirth, range: range, confidence: 0.85, recognizer: name)
        }
    }

    /// Numeric dates must be a real day/month in either order; years must not be in the future.
    static func isPlausible(_ value: Substring) -> Bool {
        let numbers = value.split(whereSeparator: { !$0.isASCIIDigit }).compactMap { Int($0) }
        guard let year = numbers.first(where: { $0 >= 1800 }), year <= 2100 else { return false }
        let small = numbers.filter { $0 < 1800 }
        switch small.count {
        case 2:
            let (a, b) = (small[0], small[1])
            return ((1...31).contains(a) && (1...12).contains(b)) || ((1...12).contains(a) && (1...31).contains(b))
        case 1:
            return (1...31).contains(small[0])
        default:
            return false
        }
    }
}
