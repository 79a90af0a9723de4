/// Person names, only after a marker: "my name is", "I am"/"I'm", "name:", titles (Mr./Mrs./Ms./Dr./Prof.…),
/// "signed,", "regards,", "patient", "customer", and "je m'appelle", "ich heiße", "me llamo", "mi chiamo",
/// "mijn naam is". One to three capitalised words (accents, hyphens, apostrophes; nobiliary particles allowed).
public struct PersonNameRecognizer: PIIRecognizer {
    public let name = "person_name"
    public let type = PIIType.personName
    public init() {}

    private static let word = #"\p{Lu}[\p{L}\p{M}]*(?:['’\-]\p{Lu}[\p{L}\p{M}]*)*"#
    private static let particle = #"(?:van|von|de|der|den|del|della|di|da|du|le|la|dos|das|ten|ter|zu|y)"#

    private static let pattern = PIIPattern(
        #"(?:((?i:\bmy name is|\bmy name's|\bi am|\bi['’]m|\bname\s*:|\bsigned,|\bregards,|\bpatient|\bcustomer|\bje m['’]appelle|\bmon nom est|\bich heiße|\bich heisse|\bmein name ist|\bme llamo|\bmi nombre es|\bmi chiamo|\bil mio nome è|\bmijn naam is|\bik heet))|\b(Mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Mme|Mlle|Sr|Sra|Dott|Sig)\.?)[ \t]*\n?[ \t]*("#
            + word + #"(?:[ \t]+(?:"# + particle + #"[ \t]+){0,2}"# + word + #"){0,2})(?![\p{L}\p{M}])"#
    )

    /// Capitalised words that follow markers but are not names ("I am Happy to help").
    static let stopWords: Set<String> = [
        "Happy", "Sorry", "Here", "Going", "Not", "Sure", "The", "A", "An", "Glad", "Looking", "Writing", "Available",
        "Service", "Services", "Support", "Team", "Care", "Thanks", "Thank", "Hello", "Hi", "Hey", "Dear", "Just", "So",
        "Very", "Still", "Also", "Now", "Back", "Good", "Fine", "Ready", "Able", "Unable", "Interested", "Calling",
        "Trying", "New", "Your", "Our", "My", "This", "That", "These", "Those", "In", "At", "On", "From", "With", "And",
        "Or", "But", "Yes", "No", "Okay", "OK", "Please", "Afraid", "Excited", "Pleased", "Currently", "Always", "Never",
        "Really", "Data", "Customer", "Customers", "Patient", "Patients", "Portal", "Account", "Number", "ID", "Name",
        "English", "French", "German", "Spanish", "Italian", "Dutch", "American", "British", "Canadian", "European",
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "I", "It", "We", "You", "He",
        "She", "They", "All", "Best", "Kind", "Warm", "Many", "Regards", "Sincerely", "Cheers", "Yours", "Feeling",
        "Working", "Done", "Back", "Confused", "Curious", "Wondering", "Asking", "Reaching", "Trusted", "Premium",
        "Number", "Record", "Records", "Information", "Details", "Feedback", "Experience", "Satisfaction", "Zero",
    ]

    public func findings(in text: String) -> [PIIFinding] {
        Self.pattern.matches(in: text).compactMap { groups in
            guard groups.count == 4, let nameRange = groups[3] else { return nil }
            let range = Self.trimmed(nameRange, in: text)
            guard let range, !range.isEmpty else { return nil }
            let wordCount = text[range].split(whereSeparator: { $0 == " " || $0 == "\t" }).count
            let marker = groups[1].map { text[$0].lowercased() } ?? ""
            let weakMarker = marker.hasPrefix("i")  // "I am", "I'm"
            var confidence = weakMarker ? 0.65 : 0.8
            if weakMarker && wordCount == 1 { confidence = 0.55 }
            return PIIFinding(type: .personName, range: range, confidence: confidence, recognizer: name)
        }
    }

    /// Drops the name when its first word is a stop word; otherwise cuts it before the first stop word.
    static func trimmed(_ range: Range<String.Index>, in text: String) -> Range<String.Index>? {
        var end = range.lowerBound
        var index = range.lowerBound
        var isFirst = true
        while index < range.upperBound {
            let wordEnd = text[index..<range.upperBound].firstIndex(where: { $0 == " " || $0 == "\t" }) ?? range.upperBound
            let word = String(text[index..<wordEnd])
            if stopWords.contains(word) { return isFirst ? nil : (range.lowerBound..<end) }
            if word.first?.isUppercase == true { end = wordEnd }
            isFirst = false
            index = text[wordEnd..<range.upperBound].firstIndex(where: { $0 != " " && $0 != "\t" }) ?? range.upperBound
        }
        return range.lowerBound..<end
    }
}
