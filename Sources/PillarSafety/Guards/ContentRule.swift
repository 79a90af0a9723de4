import Foundation

/// One phrase pattern of the built-in lexicon.
struct ContentRule: Sendable {
    let name: String
    let severity: Severity
    let pattern: GuardPattern

    init(_ name: String, _ severity: Severity, _ source: String) {
        self.name = name
        self.severity = severity
        self.pattern = GuardPattern(source)
    }
}

/// The rules of one category plus its context handling.
struct CategoryLexicon: Sendable {
    let category: HarmCategory
    let rules: [ContentRule]
    /// Technical senses and idioms: a finding overlapping one of these matches is dropped.
    let exemptions: [GuardPattern]
    /// Help, prevention, counter-speech or negation contexts: a finding whose sentence matches
    /// one of these is lowered to `mitigatedSeverity`.
    let mitigations: [GuardPattern]
    /// Severity a mitigated finding is lowered to (`.safe` drops it).
    var mitigatedSeverity: Severity = .low

    func findings(in text: FoldedText) -> [(rule: String, severity: Severity, range: NSRange)] {
        let s = text.folded
        var exempt: [NSRange] = []
        for e in exemptions { exempt.append(contentsOf: e.matches(s)) }
        var out: [(String, Severity, NSRange)] = []
        for rule in rules {
            for r in rule.pattern.matches(s) {
                if exempt.contains(where: { NSIntersectionRange($0, r).length > 0 }) { continue }
                var sev = rule.severity
                if sev > .low, !mitigations.isEmpty {
                    let sentence = text.sentence(around: r)
                    if mitigations.contains(where: { $0.test(s, range: sentence) }) { sev = mitigatedSeverity }
                }
                if sev == .safe { continue }
                out.append((rule.name, sev, r))
            }
        }
        return out
    }
}

/// Vocabulary shared by several lexicons.
enum SharedTerms {
    /// Negations that neutralise an intent phrase when they sit in the gap.
    static let notNegation = #"(?!(?:not|never|don't|dont|won't|wont|wouldn't|would never|no longer)\b)"#
    /// Minors in en/de/fr/es.
    static let minors: [String] = [
        "child", "children", "kid", "kids", "minor", "minors", "underage", "under-age", "under age",
        "preteen", "pre-teen", "schoolgirl", "schoolboy", "toddler", "infant", "little girl", "little boy",
        #"(?:1[0-7]|[1-9])[ -]?(?:year|yr)s?[ -]?old"#, "loli", "lolita", "jailbait", "teen", "teens", "teenager",
        "kind", "kinder", "kindern", "minderjahrige", "minderjahrigen", "madchen unter",
        "enfant", "enfants", "mineur", "mineure", "mineurs",
        "nino", "nina", "ninos", "ninas", "menor", "menores", "menor de edad",
    ]
}
