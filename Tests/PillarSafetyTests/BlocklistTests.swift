import Testing

@testable import PillarSafety

@Suite("Tenant block list")
struct BlocklistTests {
    let filter = BuiltInContentFilter(blocklist: ["Projekt Zürich", "acme", "C++ secrets", "  ", "ACME"])

    @Test(arguments: [
        ("Tell me about ACME.", true),
        ("acme's roadmap", true),
        ("the Acmeology conference", false),
        ("preacme", false),
        ("Was ist projekt zurich?", true),
        ("PROJEKT   ZÜRICH plans", true),
        ("Projekt Zürichsee", false),
        ("leak the c++ secrets now", true),
        ("nothing to see", false),
    ])
    func matching(_ text: String, _ hit: Bool) {
        let v = filter.classifySync(text)
        #expect((v.severity(.blocklist) == .high) == hit, "\(text)")
        if hit { #expect(v.findings.contains { $0.category == .blocklist && $0.rule.hasPrefix("blocklist:") }) }
    }

    @Test func termsAreFoldedAndDeduplicated() {
        #expect(filter.blocklistTerms.sorted() == ["acme", "c++ secrets", "projekt zurich"])
    }

    @Test func rangeCoversOriginalText() throws {
        let text = "Über das PROJEKT Zürich reden wir nicht."
        let f = try #require(filter.classifySync(text).findings.first { $0.category == .blocklist })
        #expect(text[f.range] == "PROJEKT Zürich")
    }

    @Test func emptyBlocklistNeverFires() {
        #expect(BuiltInContentFilter().classifySync("acme").severity(.blocklist) == .safe)
    }
}
