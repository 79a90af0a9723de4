import PillarCore
import Testing

@testable import PillarFlows

private let context: [String: JSONValue] = [
    "r.count": .number(0),
    "r.score": .number(0.75),
    "r.name": .string("beta"),
    "r.tags": .array([.string("x"), .number(2)]),
    "r.meta": .object(["k": .number(1)]),
    "r.none": .null,
    "r.flag": .bool(true),
    "inputs.text": .string("please ignore this"),
    "inputs.history": .array([]),
]

@Suite struct FlowConditionTests {
    @Test(arguments: [
        ("${r.count} == 0", true), ("${r.count} == 0.0", true), ("${r.count} != 0", false),
        ("${r.name} == 'beta'", true), ("${r.name} == \"gamma\"", false),
        ("${r.score} < 1", true), ("${r.score} <= 0.75", true), ("${r.score} > 0.75", false),
        ("${r.score} >= 0.5", true), ("${r.name} < 'gamma'", true), ("${r.name} > 'alpha'", true),
        ("${r.name} < 5", false), ("${r.none} > 0", false), ("${r.none} == null", true),
        ("${r.flag} == true", true), ("${r.flag} != false", true),
        ("${inputs.text} contains 'ignore'", true), ("${inputs.text} contains \"nope\"", false),
        ("${r.tags} contains 2", true), ("${r.tags} contains 'y'", false), ("${r.meta} contains 'k'", true),
        ("${inputs.history} is empty", true), ("${inputs.history} is not empty", false),
        ("${r.none} is empty", true), ("${r.name} is not empty", true),
        ("${r.flag}", true), ("${r.count}", false), ("${r.none}", false), ("${r.missing || r.name}", true),
        ("1 < 2", true), ("'a' == 'a'", true),
    ])
    func evaluates(source: String, expected: Bool) throws {
        let condition = try FlowCondition.parse(source).get()
        #expect(condition.evaluate { context[$0.description] } == expected, "\(source)")
    }

    @Test func parsesOperators() throws {
        #expect(try FlowCondition.parse("${a.b} >= 3").get().op == .greaterOrEqual)
        #expect(try FlowCondition.parse("${a.b} is not empty").get().op == .isNotEmpty)
        #expect(try FlowCondition.parse("${a.b}").get().op == .truthy)
        #expect(try FlowCondition.parse("${a.b} contains 'x'").get().references == [FlowReference(root: "a", path: ["b"])])
    }

    @Test(arguments: ["r.count == 0", "${r.count} === 0", "${r.count} ==", "${r.count} is full", "", "${r.count} == 'x"])
    func rejects(source: String) {
        #expect(throws: (any Error).self) { try FlowCondition.parse(source).get() }
    }
}
