import Foundation
import PillarCore
import PillarFlows
import Testing

private func vars(_ names: String...) -> [PromptVariable] {
    names.map { PromptVariable(name: $0) }
}

struct RenderCase: Sendable, CustomStringConvertible {
    var source: String
    var variables: [PromptVariable]
    var values: [String: JSONValue]
    var expected: String
    var description: String { source }
}

let renderCases: [RenderCase] = [
    .init(source: "Hello {{name}}!", variables: vars("name"), values: ["name": .string("Ada")], expected: "Hello Ada!"),
    .init(
        source: "Q: {{question}}", variables: vars("question"),
        values: ["question": .string("<b>&\"'</b>")], expected: "Q: <b>&\"'</b>"),
    .init(
        source: "{{{q}}}|{{&q}}|{{ q }}", variables: vars("q"), values: ["q": .string("a<b>&c")],
        expected: "a<b>&c|a<b>&c|a<b>&c"),
    .init(
        source: "{{#sources}}[{{index}}] {{title}} <{{url}}>\n{{/sources}}", variables: vars("sources"),
        values: [
            "sources": .array([
                .object(["index": .number(1), "title": .string("A & B"), "url": .string("http://x/?a=1&b=2")]),
                .object(["index": .number(2), "title": .string("\"C\""), "url": .string("http://y")]),
            ])
        ],
        expected: "[1] A & B <http://x/?a=1&b=2>\n[2] \"C\" <http://y>\n"),
    .init(
        source: "{{#items}}{{.}},{{/items}}", variables: vars("items"),
        values: ["items": .array([.string("<x>"), .number(3), .number(2.5), .bool(true)])],
        expected: "<x>,3,2.5,true,"),
    .init(
        source: "n={{n}} f={{f}} big={{big}}", variables: vars("n", "f", "big"),
        values: ["n": .number(3), "f": .number(0.25), "big": .number(-42)], expected: "n=3 f=0.25 big=-42"),
    .init(
        source: "{{#flag}}yes{{/flag}}{{^flag}}no{{/flag}}", variables: vars("flag"),
        values: ["flag": .bool(false)], expected: "no"),
    .init(
        source: "{{user.name}} ({{user.age}})", variables: vars("user"),
        values: ["user": .object(["name": .string("Bo"), "age": .number(7), "x": .null])], expected: "Bo (7)"),
    .init(source: "a{{! a comment\n spanning lines }}b", variables: [], values: [:], expected: "ab"),
    .init(source: "[{{hint}}]", variables: [PromptVariable(name: "hint", required: false)], values: [:], expected: "[]"),
    .init(
        source: "[{{hint}}]", variables: [PromptVariable(name: "hint", required: false)],
        values: ["hint": .null, "extra": .string("ignored")], expected: "[]"),
    .init(
        source: "{{#ctx}}\nline {{.}}\n{{/ctx}}\nend", variables: vars("ctx"),
        values: ["ctx": .array([.string("1"), .string("2")])], expected: "line 1\nline 2\nend"),
    .init(
        source: "x\n{{#empty}}\nnothing\n{{/empty}}\ny\n", variables: vars("empty"),
        values: ["empty": .array([])], expected: "x\ny\n"),
    .init(source: "{{lowercased(name)}}", variables: vars("name"), values: ["name": .string("ABC<")], expected: "abc<"),
]

@Test(arguments: renderCases)
func renders(_ testCase: RenderCase) throws {
    let template = try PromptTemplate(source: testCase.source, variables: testCase.variables)
    #expect(try template.render(testCase.values) == testCase.expected)
}

struct InvalidCase: Sendable, CustomStringConvertible {
    var source: String
    var variables: [PromptVariable]
    var message: String
    var line: Int
    var column: Int?
    var description: String { "\(source) -> \(message)" }
}

let invalidCases: [InvalidCase] = [
    .init(source: "Hi {{name}}", variables: [], message: "variable 'name' is used but not declared", line: 1, column: 4),
    .init(source: "a\nb {{{raw}}}", variables: [], message: "variable 'raw' is used but not declared", line: 2, column: 3),
    .init(source: "{{& raw}}", variables: [], message: "variable 'raw' is used but not declared", line: 1, column: 1),
    .init(
        source: "\n\n  {{#list}}{{x}}{{/list}}", variables: [], message: "variable 'list' is used but not declared", line: 3,
        column: 3),
    .init(
        source: "{{^list}}none{{/list}}", variables: [], message: "variable 'list' is used but not declared", line: 1, column: 1),
    .init(source: "{{a.b.c}}", variables: [], message: "variable 'a' is used but not declared", line: 1, column: 1),
    .init(source: "Hi", variables: vars("x"), message: "variable 'x' is declared but never used", line: 0, column: 0),
    .init(source: "{{x}}", variables: vars("x", "x"), message: "variable 'x' is declared more than once", line: 0, column: 0),
    .init(source: "{{9x}}", variables: vars("9x"), message: "invalid variable name '9x'", line: 0, column: 0),
    .init(
        source: "{{" + String(repeating: "a", count: 65) + "}}", variables: vars(String(repeating: "a", count: 65)),
        message: "invalid variable name", line: 0, column: 0),
    .init(source: "x {{> footer}}", variables: [], message: "partials are not supported", line: 1, column: 3),
    .init(
        source: "{{x}}\n{{=<% %>=}}<%x%>", variables: vars("x"), message: "changing delimiters is not supported", line: 2,
        column: 1),
    .init(source: "{{% CONTENT_TYPE: HTML }}", variables: [], message: "pragmas are not supported", line: 1, column: 1),
    .init(source: "{{<parent}}{{/parent}}", variables: [], message: "template inheritance is not supported", line: 1, column: 1),
    .init(
        source: "one\n{{#a}}\n{{/b}}", variables: vars("a"), message: "section closed with the wrong name", line: 3, column: nil),
    .init(source: "one\ntwo {{#a}}x", variables: vars("a"), message: "section is never closed", line: 2, column: nil),
    .init(source: "{{.}}", variables: [], message: "'{{.}}' can only be used inside a section", line: 1, column: 1),
    .init(source: "a {{name", variables: vars("name"), message: "tag is not closed", line: 1, column: 3),
    .init(source: "a {{#name}}\nb {{{x}}", variables: vars("name", "x"), message: "tag is not closed", line: 2, column: 3),
]

@Test(arguments: invalidCases)
func rejects(_ testCase: InvalidCase) {
    do {
        _ = try PromptTemplate(source: testCase.source, variables: testCase.variables)
        Issue.record("expected an error")
    } catch {
        let match = error.problems.first { $0.message.contains(testCase.message) }
        #expect(match != nil, "problems: \(error.problems)")
        if let match {
            #expect(match.line == testCase.line, "\(match)")
            if let column = testCase.column { #expect(match.column == column, "\(match)") }
        }
    }
}

@Test func reportsAllProblems() {
    #expect(throws: PromptTemplateError.self) {
        try PromptTemplate(source: "{{a}} {{b}}", variables: vars("b", "c"))
    }
    do {
        _ = try PromptTemplate(source: "{{a}} {{b}}", variables: vars("b", "c"))
    } catch {
        #expect(
            error.problems.map(\.message) == [
                "variable 'a' is used but not declared",
                "variable 'c' is declared but never used",
            ])
        #expect(error.description.contains("1:1: variable 'a'"))
    }
}

@Test func namesInsideSectionsAreItemFields() throws {
    let template = try PromptTemplate(
        source: "{{#sources}}{{title}}{{#tags}}{{.}}{{name}}{{/tags}}{{/sources}}{{^sources}}none{{/sources}}{{q}}",
        variables: vars("sources", "q"))
    #expect(template.usedNames == ["sources", "q"])
}

@Test func usedNamesIncludesDottedRoots() throws {
    let template = try PromptTemplate(source: "{{a.b}} {{{c}}} {{#d}}{{e}}{{/d}}", variables: vars("a", "c", "d"))
    #expect(template.usedNames == ["a", "c", "d"])
}

@Test func missingRequiredValues() throws {
    let template = try PromptTemplate(
        source: "{{a}}{{b}}{{c}}",
        variables: [PromptVariable(name: "a"), PromptVariable(name: "b"), PromptVariable(name: "c", required: false)])
    do {
        _ = try template.render(["b": .null])
        Issue.record("expected an error")
    } catch {
        #expect(
            error.problems.map(\.message) == [
                "missing value for required variable 'a'",
                "missing value for required variable 'b'",
            ])
    }
    #expect(try template.render(["a": .string("1"), "b": .number(2)]) == "12")
}

@Test func extraKeysDoNotLeakIntoSections() throws {
    let template = try PromptTemplate(source: "{{#items}}[{{title}}]{{/items}}", variables: vars("items"))
    let out = try template.render(["items": .array([.object([:])]), "title": .string("leak")])
    #expect(out == "[]")
}

@Test func variableDecodesWithDefaultRequired() throws {
    let decoded = try JSONDecoder().decode(PromptVariable.self, from: Data(#"{"name":"q"}"#.utf8))
    #expect(decoded == PromptVariable(name: "q", required: true, description: nil))
    let optional = try JSONDecoder().decode(
        PromptVariable.self, from: Data(#"{"name":"q","required":false,"description":"d"}"#.utf8))
    #expect(optional == PromptVariable(name: "q", required: false, description: "d"))
}

@Test func jsonValueRoundTrip() throws {
    let json = #"{"a":[1,2.5,true,null,"s"],"b":{"c":1e20}}"#
    let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
    #expect(
        value
            == .object([
                "a": .array([.number(1), .number(2.5), .bool(true), .null, .string("s")]),
                "b": .object(["c": .number(1e20)]),
            ]))
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let text = String(decoding: try encoder.encode(JSONValue.array([.number(3), .number(2.5), .bool(false)])), as: UTF8.self)
    #expect(text == "[3,2.5,false]")
    #expect(try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(value)) == value)
}
