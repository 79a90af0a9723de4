import Testing

@testable import PillarEval

@Suite struct AnswerTextTests {
    @Test func normalisesAsSQuAD() {
        #expect(AnswerText.normalized("The  Quick, brown fox!") == "quick brown fox")
        #expect(AnswerText.normalized("An apple a day") == "apple day")
        #expect(AnswerText.normalized("Don't\tstop\n\nnow.") == "dont stop now")
        #expect(AnswerText.normalized("theory and anthem") == "theory and anthem")
        #expect(AnswerText.normalized("$1,000 (USD)") == "1000 usd")
        #expect(AnswerText.normalized("It’s “quoted” — ok") == "its quoted ok")
        #expect(AnswerText.normalized("  ") == "")
    }

    @Test func removesCitationMarkers() {
        #expect(AnswerText.normalized(AnswerText.removingCitationMarkers("Ten days [1].")) == "ten days")
        #expect(AnswerText.removingCitationMarkers("Yes[2][3] and no [1, 4].") == "Yes   and no  .")
        #expect(AnswerText.removingCitationMarkers("See [policy.pdf#page=3] now") == "See   now")
        #expect(AnswerText.removingCitationMarkers("He said [sic] this") == "He said [sic] this")
    }

    @Test func readsCitationMarkers() {
        #expect(AnswerText.markerPattern != nil)
        #expect(
            AnswerText.citationMarkers("A [1] b [2][3] c [4, 5] d [Benefits.PDF#page=2] e [sic]")
                == [.number(1), .number(2), .number(3), .number(4), .number(5), .name("Benefits.PDF")])
        #expect(AnswerText.citationMarkers("no markers").isEmpty)
    }
}
