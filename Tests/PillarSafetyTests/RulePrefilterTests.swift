import Foundation
import Testing
@testable import PillarSafety

/// The one-scan prefilters (`anyRule`) skip a rule set only when no rule of it matches: on every labelled
/// case, in plain, folded and de-leeted form, the alternation matches exactly when some rule does.
@Suite struct RulePrefilterTests {
    static let texts: [String] = {
        let cases = (try? GuardData.load()) ?? []
        return cases.flatMap { item -> [String] in
            let folded = FoldedText(item.text).folded
            return [item.text, folded, ShieldText.deLeet(folded)]
        }
    }()

    @Test func theCasesAreThere() {
        #expect(Self.texts.count >= 1800)
    }

    @Test func contentLexiconsAreRuledOutOnlyWhenNoRuleMatches() {
        for lexicon in BuiltInContentFilter.lexicons {
            for text in Self.texts {
                let any = lexicon.rules.contains { $0.pattern.test(text) }
                #expect(lexicon.anyRule.test(text) == any, "\(lexicon.category) on \(text.prefix(80))")
            }
        }
    }

    @Test func shieldRuleSetsAreRuledOutOnlyWhenNoRuleMatches() {
        for set in [JailbreakRules.all, JailbreakRules.overrideAndExtraction, JailbreakRules.overrideOnly, InjectionRules.all] {
            for text in Self.texts {
                let any = set.rules.contains { $0.pattern.test(text) }
                #expect(set.anyRule.test(text) == any, "\(text.prefix(80))")
            }
        }
    }
}
