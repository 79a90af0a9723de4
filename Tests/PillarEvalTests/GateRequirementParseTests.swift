import Testing

@testable import PillarEval

private func conditions(_ text: String) throws -> [GateRequirement.Condition] {
    try GateRequirement.parse(text).clauses.map(\.condition)
}

private func parseError(_ text: String) -> GateError? {
    do {
        _ = try GateRequirement.parse(text)
        return nil
    } catch {
        return error
    }
}

@Test func gateParsesEveryClauseForm() throws {
    let parsed = try conditions(
        "groundedness>=4.0; citations_recall>=baseline-0.02; latency_ms<=baseline+250;"
            + " refused==0; mrr>baseline; hit@5<1e-3; p<0.05; p(recall@5)<0.1")
    #expect(
        parsed == [
            .threshold(metric: "groundedness", operator: .atLeast, target: .absolute(4)),
            .threshold(metric: "citations_recall", operator: .atLeast, target: .baseline(offset: -0.02)),
            .threshold(metric: "latency_ms", operator: .atMost, target: .baseline(offset: 250)),
            .threshold(metric: "refused", operator: .equal, target: .absolute(0)),
            .threshold(metric: "mrr", operator: .greater, target: .baseline(offset: 0)),
            .threshold(metric: "hit@5", operator: .less, target: .absolute(0.001)),
            .significantOverall(alpha: 0.05),
            .significantlyBetter(metric: "recall@5", alpha: 0.1),
        ])
}

@Test func gateAllowsWhitespaceBetweenTokensAndEmptyClauses() throws {
    let requirement = try GateRequirement.parse("  groundedness >= -0.5 ;; ndcg@5 >= baseline - .5 ; p ( mrr ) < 0.05 ;")
    #expect(
        requirement.clauses.map(\.condition) == [
            .threshold(metric: "groundedness", operator: .atLeast, target: .absolute(-0.5)),
            .threshold(metric: "ndcg@5", operator: .atLeast, target: .baseline(offset: -0.5)),
            .significantlyBetter(metric: "mrr", alpha: 0.05),
        ])
    #expect(requirement.clauses.map(\.position) == [1, 3, 4])
    #expect(requirement.clauses.map(\.text) == ["groundedness >= -0.5", "ndcg@5 >= baseline - .5", "p ( mrr ) < 0.05"])
    #expect(requirement.thresholdMetrics == ["groundedness", "ndcg@5"])
}

@Test func gateParseErrorsNameTheClauseAndItsPosition() throws {
    let misspelt = try #require(parseError("groundedness>=4.0; citations_recall>=baselin"))
    #expect(misspelt.code == "invalid_requirement")
    #expect(misspelt.position == 2)
    #expect(misspelt.clause == "citations_recall>=baselin")
    #expect(misspelt.expected == "a number, `baseline`, `baseline+N` or `baseline-N` after `>=`")
    #expect(misspelt.message.hasPrefix("clause 2 `citations_recall>=baselin`: expected a number"))

    let cases: [(text: String, position: Int, expected: String)] = [
        ("a>=1;;b=>2", 3, "one of >= <= > < == after `b`"),
        (">=4", 1, "a metric name (letters, digits, _ @ . -) or `p`"),
        ("x>=4abc", 1, "a number, `baseline`, `baseline+N` or `baseline-N` after `>=`"),
        ("x>=4 5", 1, "the end of the clause, not `5`"),
        ("x>=baseline*2", 1, "the end of the clause, not `*2`"),
        ("x>=baselines", 1, "a number, `baseline`, `baseline+N` or `baseline-N` after `>=`"),
        ("x>=baseline-", 1, "a number after `baseline-`"),
        ("x>=baseline+-1", 1, "a number after `baseline+`"),
        ("x>=1; p<=0.05", 2, "`<` and a significance level, as in `p<0.05`"),
        ("x>=1; p<1.5", 2, "a significance level in (0, 1] after `<`, as in `p<0.05`"),
        ("x>=1; p<0", 2, "a significance level in (0, 1] after `<`, as in `p<0.05`"),
        ("p(x<0.05", 1, "`)` after `p(x`"),
        ("p()<0.05", 1, "a metric name inside `p(...)`"),
        ("x>=nan", 1, "a number, `baseline`, `baseline+N` or `baseline-N` after `>=`"),
        ("x>=1e999", 1, "a number, `baseline`, `baseline+N` or `baseline-N` after `>=`"),
        ("grounded ness>=4", 1, "one of >= <= > < == after `grounded`"),
        ("p<0.05", 1, "a metric clause for it to test alongside (or a named metric: `p(groundedness)<0.05`)"),
    ]
    for (text, position, expected) in cases {
        let error = parseError(text)
        #expect(error?.code == "invalid_requirement", "\(text)")
        #expect(error?.position == position, "\(text)")
        #expect(error?.expected == expected, "\(text)")
    }
}

@Test func gateRequirementIsBounded() {
    #expect(parseError("")?.code == "invalid_requirement")
    #expect(parseError(" ; ;")?.message.contains("empty") == true)
    let tooMany = Array(repeating: "x>=1", count: 65).joined(separator: ";")
    #expect(parseError(tooMany)?.message.contains("more than 64 clauses") == true)
    #expect(parseError(Array(repeating: "x>=1", count: 64).joined(separator: ";")) == nil)
    let tooLong = "x>=" + String(repeating: "1", count: 4094)
    #expect(tooLong.count == 4097)
    #expect(parseError(tooLong)?.message.contains("4097 characters") == true)
    #expect(parseError("p(x)<0.05") == nil)
}
