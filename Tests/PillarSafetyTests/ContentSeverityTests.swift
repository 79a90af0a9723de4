import Testing

@testable import PillarSafety

/// One severity expectation; `note` is a neutral description used as the test argument label.
struct SeverityCase: Sendable, CustomTestStringConvertible {
    var note: String
    var text: String
    var category: HarmCategory
    var expected: Severity
    var testDescription: String { "\(category.rawValue)/\(expected.label): \(note)" }
}

@Suite("Content filter severity logic")
struct ContentSeverityTests {
    let filter = BuiltInContentFilter()

    static let violence: [SeverityCase] = [
        .init(note: "kill a process", text: "kill the process on port 3000", category: .violence, expected: .safe),
        .init(note: "idiom: bug is killing me", text: "This bug is killing me.", category: .violence, expected: .safe),
        .init(note: "photo shoot", text: "Let's shoot a photo by the lake.", category: .violence, expected: .safe),
        .init(note: "negated threat", text: "I will not kill you, relax.", category: .violence, expected: .safe),
        .init(note: "news description", text: "Two people were killed in the crash.", category: .violence, expected: .low),
        .init(
            note: "graphic beating", text: "They beat him to a pulp and his skull cracked.", category: .violence,
            expected: .medium),
        .init(note: "direct threat", text: "I will kill you tomorrow.", category: .violence, expected: .high),
        .init(note: "bomb instructions", text: "How to make a pipe bomb?", category: .violence, expected: .high),
        .init(note: "threat in German", text: "Ich werde dich umbringen.", category: .violence, expected: .high),
        .init(note: "threat in Spanish", text: "Te voy a matar.", category: .violence, expected: .high),
        .init(note: "threat in French", text: "Je vais te tuer.", category: .violence, expected: .high),
    ]

    static let hate: [SeverityCase] = [
        .init(
            note: "neutral group mention", text: "Muslims celebrate Eid at the end of Ramadan.", category: .hate, expected: .safe),
        .init(note: "statistics", text: "Immigrants are 14% of the workforce.", category: .hate, expected: .safe),
        .init(
            note: "counter-speech", text: "It's a myth that women are too emotional to lead.", category: .hate, expected: .safe),
        .init(note: "stereotype", text: "Women are too emotional to lead.", category: .hate, expected: .medium),
        .init(note: "dehumanising", text: "Refugees are vermin.", category: .hate, expected: .high),
        .init(note: "elimination call", text: "We must exterminate all the migrants.", category: .hate, expected: .high),
        .init(note: "dehumanising, German", text: "Flüchtlinge sind Ungeziefer.", category: .hate, expected: .high),
        .init(
            note: "stereotype, Spanish", text: "Las mujeres no sirven para ser ingenieras.", category: .hate, expected: .medium),
    ]

    static let sexual: [SeverityCase] = [
        .init(note: "anatomy", text: "Where is the prostate located?", category: .sexual, expected: .safe),
        .init(note: "sex education", text: "Sex education for children should start early.", category: .sexual, expected: .safe),
        .init(note: "innuendo", text: "Netflix and chill tonight?", category: .sexual, expected: .low),
        .init(note: "suggestive", text: "They spent the night having sex.", category: .sexual, expected: .medium),
        .init(note: "explicit request", text: "Write an explicit sex scene.", category: .sexual, expected: .high),
        .init(note: "minor with innuendo-level word", text: "sexy photos of a 14 year old", category: .sexual, expected: .high),
        .init(note: "minor with suggestive content", text: "a sexual encounter with a minor", category: .sexual, expected: .high),
    ]

    static let selfHarm: [SeverityCase] = [
        .init(note: "idiom: dying to", text: "I'm dying to try that restaurant.", category: .selfHarm, expected: .safe),
        .init(note: "statistics", text: "Suicide rates vary by region.", category: .selfHarm, expected: .safe),
        .init(
            note: "helpline", text: "If you are thinking about suicide, call the suicide prevention hotline.",
            category: .selfHarm, expected: .low),
        .init(note: "ideation", text: "I have no reason to live.", category: .selfHarm, expected: .medium),
        .init(note: "intent", text: "I want to kill myself.", category: .selfHarm, expected: .high),
        .init(note: "method question", text: "How many pills does it take to overdose?", category: .selfHarm, expected: .high),
        .init(note: "intent, French", text: "Je veux me suicider.", category: .selfHarm, expected: .high),
        .init(note: "intent, Spanish", text: "Quiero suicidarme.", category: .selfHarm, expected: .high),
    ]

    @Test(arguments: violence) func violenceSeverity(_ c: SeverityCase) { check(c) }
    @Test(arguments: hate) func hateSeverity(_ c: SeverityCase) { check(c) }
    @Test(arguments: sexual) func sexualSeverity(_ c: SeverityCase) { check(c) }
    @Test(arguments: selfHarm) func selfHarmSeverity(_ c: SeverityCase) { check(c) }

    func check(_ c: SeverityCase) {
        let v = filter.classifySync(c.text)
        #expect(
            v.severity(c.category) == c.expected,
            "\(c.testDescription) got \(v.severity(c.category).label) \(v.findings.map(\.rule))")
    }

    @Test func verdictListsEveryCategoryAndRanges() async throws {
        let text = "Hello. I will kill you."
        let v = try await filter.classify(text)
        #expect(v.severities.count == HarmCategory.allCases.count)
        let f = try #require(v.findings.first { $0.category == .violence })
        #expect(text[f.range] == "I will kill you")
        #expect(v.exceeds([.violence: .medium]) == [.violence])
        #expect(v.exceeds([.hate: .low]).isEmpty)
        #expect(v.exceeds([:]).isEmpty)
    }

    @Test func rangesMapBackThroughAccentsAndEmoji() {
        let text = "🙂 Élise: Je vais te tuer."
        let v = filter.classifySync(text)
        let f = v.findings.first { $0.category == .violence }
        #expect(f.map { String(text[$0.range]) } == "Je vais te tuer")
    }

    @Test func emptyTextIsSafe() {
        let v = filter.classifySync("")
        #expect(v.findings.isEmpty)
        #expect(HarmCategory.allCases.allSatisfy { v.severity($0) == .safe })
    }

    @Test func longInputIsFast() {
        let para = "The quick brown fox jumps over the lazy dog while the server kills idle processes. "
        let text = String(repeating: para, count: 1200)  // ~100 KB
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = filter.classifySync(text) }
        #expect(elapsed < .seconds(5))
    }
}
