import Testing

@testable import PillarEval

@Suite struct JudgeRubricTests {
    static func score(_ output: String) -> Int? {
        if case .success(let graded) = JudgeRubric.parse(output) { return graded.score }
        return nil
    }

    static func error(_ output: String) -> JudgeOutputError? {
        if case .failure(let error) = JudgeRubric.parse(output) { return error }
        return nil
    }

    @Test func readsAJSONObjectAlone() throws {
        let graded = try JudgeRubric.parse(#"{"score": 4, "reason": "Supported by passage 2."}"#).get()
        #expect(graded.score == 4)
        #expect(graded.reason == "Supported by passage 2.")
    }

    @Test func readsAFencedObjectOrOneInsideText() {
        #expect(Self.score("```json\n{\"score\": 5, \"reason\": \"ok\"}\n```") == 5)
        #expect(Self.score("Here is my verdict {as asked}: {\"reason\": \"a } brace\", \"Score\": 2} Thanks.") == 2)
        #expect(Self.score(#"{"verdict": {"score": 3, "reason": "nested"}}"#) == 3)
        #expect(Self.score(#"{"score": 4.0, "reason": "integral"}"#) == 4)
        #expect(Self.score(#"{"score": "5", "reason": "as text"}"#) == 5)
    }

    @Test func readsScoreAndReasonLines() throws {
        let graded = try JudgeRubric.parse("Score: 3\nReason: Half of the claims are supported.").get()
        #expect(graded.score == 3)
        #expect(graded.reason == "Half of the claims are supported.")
        #expect(Self.score("**Score:** 4/5") == 4)
        #expect(Self.score("score = 1 out of 5") == 1)
    }

    @Test func offRubricScoresAreErrors() {
        for output in [
            #"{"score": 0, "reason": "x"}"#, #"{"score": 7}"#, #"{"score": 3.5}"#, #"{"score": "four"}"#,
            #"{"score": true}"#, #"{"score": null}"#, "Score: 3.5", "Score: four", "I think it is fine.", "",
        ] {
            let error = Self.error(output)
            #expect(error?.code == "judge_off_rubric", "\(output)")
        }
    }

    @Test func errorsCarryABoundedExcerpt() {
        let output = "  This answer seems good overall " + String(repeating: "and long ", count: 100)
        let error = Self.error(output)
        #expect(error?.excerpt.count == 200)
        #expect(error?.excerpt.hasPrefix("This answer seems good") == true)
    }

    @Test func inputIsCutAt64KiB() {
        // The score comes after the limit, so it is not read.
        let padded = String(repeating: "x", count: 70 * 1024) + #" {"score": 4}"#
        #expect(Self.error(padded) != nil)
        #expect(Self.score(#"{"score": 4}"# + String(repeating: "x", count: 70 * 1024)) == 4)
    }

    @Test func evalScoreCarriesValueOrError() {
        let good = JudgeRubric.evalScore(from: #"{"score": 5, "reason": "fine"}"#)
        #expect(good.value == 5 && good.reason == "fine" && good.error == nil)
        let bad = JudgeRubric.evalScore(from: "Score: 9")
        #expect(bad.value == nil)
        #expect(bad.error?.hasPrefix("judge_off_rubric") == true)
    }
}
