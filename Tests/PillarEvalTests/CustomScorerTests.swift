import PillarCore
import Testing

@testable import PillarEval

@Suite struct CustomScorerTests {
    static let example = #"""
        scorers:
          - name: mentions_policy     # a comment
            kind: contains
            value: policy
            ignore_case: true
          - {name: has_date, kind: regex, pattern: '\d{4}-\d{2}-\d{2}'}
          - name: valid_json
            kind: json_schema
            schema: {type: object, required: [answer], properties: {answer: {type: string}}}
          - {name: polite, kind: judge, prompt: judge-politeness@1, pass_threshold: 4}
          - {name: no_guess, kind: not_contains, value: I think, description: Never hedges.}
          - {name: strict_judge, kind: judge, prompt: judge-tone}
        """#

    static func problems(_ yaml: String) -> [String] {
        do {
            _ = try CustomScorerSet(yaml: yaml)
            return []
        } catch {
            #expect(error.code == "invalid_scorers")
            return error.problems
        }
    }

    static func value(_ scorer: CustomScorer, _ answer: String) -> Double? {
        if case .score(let score) = scorer.evaluate(answer: answer) { return score.value }
        return nil
    }

    @Test func parsesTheExample() throws {
        let set = try CustomScorerSet(yaml: Self.example)
        #expect(set.scorers.map(\.name) == ["mentions_policy", "has_date", "valid_json", "polite", "no_guess", "strict_judge"])
        #expect(set.scorers[0].check == .contains("policy", ignoreCase: true))
        #expect(set.metrics.allSatisfy { $0.kind == .custom && $0.direction == .higherIsBetter })
        #expect(set.metrics.map(\.passThreshold) == [1, 1, 1, 4, 1, 4])
        #expect(set.metrics[4].summary == "Never hedges.")
        #expect(
            set.judges == [
                CustomJudge(metric: "polite", prompt: "judge-politeness@1", passThreshold: 4),
                CustomJudge(metric: "strict_judge", prompt: "judge-tone", passThreshold: 4),
            ])
    }

    @Test func evaluatesChecksOnTheAnswerWithMarkers() throws {
        let set = try CustomScorerSet(yaml: Self.example)
        let answer = #"{"answer": "See the Policy [1], dated 2024-05-01."}"#
        #expect(Self.value(set.scorers[0], answer) == 1)
        #expect(Self.value(set.scorers[0], "no such word") == 0)
        #expect(Self.value(set.scorers[1], answer) == 1)
        #expect(Self.value(set.scorers[1], "May 2024") == 0)
        #expect(Self.value(set.scorers[2], answer) == 1)
        #expect(Self.value(set.scorers[4], "I think so") == 0)
        #expect(Self.value(set.scorers[4], "i think so") == 1)
        guard case .judge(let judge) = set.scorers[3].evaluate(answer: answer) else {
            Issue.record("a judge scorer returns its judge")
            return
        }
        #expect(judge.prompt == "judge-politeness@1")

        let scores = set.score(
            EvalResult(
                runID: "r", itemID: "i", repeatIndex: 0, status: .answered, answer: "Plain text.",
                latencyMs: 1, createdAt: 0))
        #expect(Set(scores.keys) == ["mentions_policy", "has_date", "valid_json", "no_guess"])
        #expect(scores["valid_json"]?.value == 0)
        #expect(scores["valid_json"]?.reason == "The answer cannot be checked: the answer is not JSON.")
        #expect(scores["has_date"]?.reason?.contains("does not match") == true)
        let failed = set.score(
            EvalResult(runID: "r", itemID: "i", repeatIndex: 0, status: .failed, answer: "", latencyMs: 1, createdAt: 0))
        #expect(failed.values.allSatisfy { $0.value == nil })
    }

    @Test func emptyDocumentsDeclareNothing() throws {
        #expect(try CustomScorerSet(yaml: "").scorers.isEmpty)
        #expect(try CustomScorerSet(yaml: "scorers: []").scorers.isEmpty)
        #expect(try CustomScorerSet(yaml: "scorers:").scorers.isEmpty)
    }

    @Test func errorsNameTheirPath() {
        let yaml = #"""
            scorers:
              - {name: ok_one, kind: contains, value: x}
              - {name: Bad-Name, kind: contains, value: x}
              - {name: bad_regex, kind: regex, pattern: '(unclosed'}
              - {name: exact_match, kind: contains, value: x}
              - {name: ok_one, kind: contains, value: y}
              - {name: odd, kind: sometimes}
              - {name: extra, kind: regex, pattern: a, value: b}
              - {name: judge_low, kind: judge, prompt: p, pass_threshold: 9}
              - {name: judge_ref, kind: judge, prompt: 'Bad Ref'}
              - {name: no_value, kind: contains}
              - {name: flag, kind: contains, value: x, ignore_case: maybe}
            """#
        let problems = Self.problems(yaml)
        let expected = [
            "scorers[1].name: 'Bad-Name' is not [a-z][a-z0-9_]{0,63}",
            "scorers[2].pattern: '(unclosed' is not a valid regular expression",
            "scorers[3].name: 'exact_match' is a built-in metric",
            "scorers[4].name: 'ok_one' is declared twice",
            "scorers[5].kind: 'sometimes' is not one of contains, not_contains, regex, json_schema, judge",
            "scorers[6].value: not a key of a regex scorer",
            "scorers[7].pass_threshold: must be a number from 1 to 5",
            "scorers[8].prompt: 'Bad Ref' is not a prompt reference (name, name@label or name@version)",
            "scorers[9].value: is required",
            "scorers[10].ignore_case: must be true or false",
        ]
        #expect(problems == expected)
    }

    @Test func enforcesLimits() {
        let many = "scorers:\n" + (0..<51).map { "  - {name: s\($0), kind: contains, value: x}" }.joined(separator: "\n")
        #expect(Self.problems(many) == ["scorers: at most 50 scorers, got 51"])
        let big = "scorers:\n  - {name: s, kind: contains, value: '\(String(repeating: "x", count: 17 * 1024))'}"
        #expect(Self.problems(big) == ["scorers: the YAML is larger than 16 KiB"])
        let longPattern = "scorers:\n  - {name: s, kind: regex, pattern: '\(String(repeating: "a", count: 1001))'}"
        #expect(Self.problems(longPattern) == ["scorers[0].pattern: at most 1000 characters"])
        #expect(Self.problems("scorers: {name: s}") == ["scorers: must be a list of scorers"])
        #expect(Self.problems("other: 1") == ["other: unknown key; the YAML has only 'scorers'"])
        #expect(Self.problems("scorers: [").first?.hasPrefix("scorers: the YAML cannot be read") == true)
    }

    @Test func deepNestingIsRefusedBeforeParsing() {
        let flow = "scorers: " + String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(Self.problems(flow) == ["scorers: the YAML has more than 256 '[' and '{'"])
        let dashes = "scorers:\n" + String(repeating: "- ", count: 40) + "x"
        #expect(Self.problems(dashes) == ["scorers: a line is indented more than 64 columns (counting '- ' indicators)"])
    }

    @Test func aliasesCannotExplodeTheWalk() {
        // Each anchor repeats the previous one twice: the enum would hold 2^20 values.
        var anchors = ["&a0 [1, 2]"]
        for level in 1...20 { anchors.append("&a\(level) [*a\(level - 1), *a\(level - 1)]") }
        let yaml =
            "scorers:\n  - {name: s, kind: json_schema, schema: {examples: [\(anchors.joined(separator: ", "))], enum: [*a20]}}"
        #expect(Self.problems(yaml).first?.hasSuffix("the YAML has more than 20000 values") == true)
    }
}
