/// Street addresses: US-style `number + name words + suffix` (with optional direction, unit and
/// `City, ST 12345[-6789]`), German/Dutch compounds (`Hauptstraße 12`, `Kalverstraat 92`), and
/// French/Spanish/Italian forms (`12 rue de la Paix`, `Rue de Rivoli 99`, `Calle Mayor 5`, `Via Roma 10`),
/// with an optional European postal code and city.
public struct StreetAddressRecognizer: PIIRecognizer {
    public let name = "street_address"
    public let type = PIIType.streetAddress
    public init() {}

    private static let nameWord = #"\p{Lu}[\p{L}'’\-]*"#
    private static let states =
        "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"

    private static let us = PIIPattern(
        #"(?<![\w\-])\d{1,6}[A-Z]?\s+(?:(?:N|S|E|W|NE|NW|SE|SW)\.?\s+)?(?:(?:\d{1,3}(?:st|nd|rd|th)|"# + nameWord
            + #")\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Square|Sq|Circle|Cir|Trail|Trl)\b"#
            + #"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"#
            + #"(?:\.?,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Floor|Fl|#)\.?\s*[A-Za-z0-9\-]+\b)?"#
            + #"(?:\.?,\s*("# + nameWord + #"(?:\s"# + nameWord + #"){0,2}),\s*(?:"# + states + #")\s+(\d{5})(-\d{4})?\b)?"#
    )

    private static let europeanTail = #"(?:,\s*(?:\d{4,5}|\d{4}\s?[A-Z]{2})\s+\p{Lu}[\p{L}\-]+(?:\s\p{Lu}[\p{L}\-]+)?)?"#
    private static let particles =
        #"(?:(?:de la|de l'|de l’|de los|de las|del|de|des|du|della|delle|dei|degli|di|d'|d’|la|le|les|van|von)\s*)"#

    /// `Hauptstraße 12`, `Berliner Straße 45a`, `Kalverstraat 92`.
    private static let compound = PIIPattern(
        #"(?<![\w\-])(?:\p{Lu}[\p{L}\-]*(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|straat|laan|gracht|plein|kade|singel|dijk|steeg|dreef)|(?:\p{Lu}[\p{L}\-]*\s+){1,2}(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Gasse|Ring|Damm))\s+\d{1,4}[a-zA-Z]?\b"#
            + europeanTail
    )

    /// `12 rue de la Paix`, `5bis, avenue Foch`.
    private static let numberFirst = PIIPattern(
        #"(?<![\w\-])\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai|cours|route)\s+"#
            + particles + "?" + nameWord + #"(?:\s+"# + particles + "?" + nameWord + #"){0,3}"# + europeanTail
    )

    /// `Rue de Rivoli 99`, `Calle Mayor 5`, `Via Roma 10`, `Corso Buenos Aires 33`.
    private static let nameFirst = PIIPattern(
        #"(?<![\w\-])(?:Rue|Avenue|Boulevard|Place|Calle|C/|Avenida|Avda\.|Plaza|Paseo|Camino|Carrer|Via|Viale|Piazza|Corso|Largo|Vicolo|Piazzale)\s+"#
            + particles + "?" + nameWord + #"(?:\s+"# + particles + "?" + nameWord + #"){0,3},?\s+\d{1,4}[a-zA-Z]?\b"#
            + europeanTail
    )

    public func findings(in text: String) -> [PIIFinding] {
        var found: [PIIFinding] = []
        for groups in Self.us.matches(in: text) {
            guard let range = groups[0] else { continue }
            let words = text[range].split(separator: " ").dropFirst()
            if let first = words.first, Self.stopWords.contains(String(first)) { continue }
            var confidence = 0.75
            if groups.count > 2, groups[2] != nil { confidence = 0.9 }
            if groups.count > 3, groups[3] != nil { confidence = 0.95 }
            found.append(PIIFinding(type: .streetAddress, range: range, confidence: confidence, recognizer: name))
        }
        for pattern in [Self.compound, Self.numberFirst, Self.nameFirst] {
            for groups in pattern.matches(in: text) {
                guard let range = groups[0] else { continue }
                let hasPostcode = text[range].contains(",") && text[range].last?.isLetter == true
                found.append(
                    PIIFinding(
                        type: .streetAddress, range: range, confidence: hasPostcode ? 0.85 : 0.75,
                        recognizer: name))
            }
        }
        return found
    }

    /// Capitalised words that start sentences rather than street names ("5 The Street…").
    static let stopWords: Set<String> = ["The", "A", "An", "And", "Or", "Of", "In", "On", "At", "For", "To", "By"]
}
