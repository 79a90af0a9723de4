import Foundation
import PillarCore
import Testing

@testable import PillarFlows

private func flow(_ body: String) throws -> FlowSpec {
    try FlowSpec.parse(
        yaml: """
            name: t
            inputs:
              q: {type: string}
              n: {type: number}
            nodes:
              a:
                kind: template
                template: "x"
            \(body)
            """, allowedHosts: [])
}

private let values: [String: JSONValue] = [
    "inputs.q": .string("hello"),
    "inputs.n": .number(3),
    "a.output": .null,
    "b.output": .string("from b"),
    "b.items": .array([.object(["name": .string("first")]), .number(2.5)]),
    "b.flag": .bool(true),
]

private func resolve(_ reference: FlowReference) -> JSONValue? {
    if let value = values[reference.description] { return value }
    // Paths below known values.
    for (key, value) in values where reference.description.hasPrefix(key + ".") {
        let rest = reference.description.dropFirst(key.count + 1).split(separator: ".").map(String.init)
        return value[path: rest]
    }
    return nil
}

@Suite struct FlowValueTests {
    @Test func wholeReferenceKeepsJSONType() throws {
        let value = try #require(try FlowValue.parseExpression("${b.items}").get())
        #expect(value.evaluate(resolve) == .array([.object(["name": .string("first")]), .number(2.5)]))
        let nested = try #require(try FlowValue.parseExpression("${b.items.0.name}").get())
        #expect(nested.evaluate(resolve) == .string("first"))
    }

    @Test func interpolationRendersPieces() throws {
        let value = try #require(
            try FlowValue.parseExpression("q=${inputs.q} n=${inputs.n} x=${b.items.1} f=${b.flag} z=${a.output}!").get())
        #expect(value.evaluate(resolve) == .string("q=hello n=3 x=2.5 f=true z=!"))
        let json = try #require(try FlowValue.parseExpression("items: ${b.items}").get())
        #expect(json.evaluate(resolve) == .string(#"items: [{"name":"first"},2.5]"#))
    }

    @Test func alternativesPickFirstNonNull() throws {
        let value = try #require(try FlowValue.parseExpression("${a.output || b.output || inputs.q}").get())
        #expect(value.evaluate(resolve) == .string("from b"))
        let missing = try #require(try FlowValue.parseExpression("${a.output || missing.x}").get())
        #expect(missing.evaluate(resolve) == .null)
    }

    @Test func yamlLiteralsAndNestedValues() throws {
        let spec = try flow(
            """
            outputs:
              text: ${a.output}
              n: 5
              f: 1.5
              b: true
              z: ~
              s: "7"
              nested: {list: [1, "${inputs.q}", x], text: "a ${inputs.n} b"}
            """)
        let result = FlowValue.object(spec.outputs.map { FlowField(name: $0.name, value: $0.value) }).evaluate(resolve)
        #expect(
            result
                == .object([
                    "text": .null, "n": .number(5), "f": .number(1.5), "b": .bool(true), "z": .null, "s": .string("7"),
                    "nested": .object(["list": .array([.number(1), .string("hello"), .string("x")]), "text": .string("a 3 b")]),
                ]))
    }

    @Test func interpolatedTextRendering() {
        #expect(JSONValue.number(3).interpolatedText == "3")
        #expect(JSONValue.number(-2.25).interpolatedText == "-2.25")
        #expect(JSONValue.null.interpolatedText == "")
        #expect(JSONValue.bool(false).interpolatedText == "false")
        #expect(JSONValue.object(["b": .number(1), "a": .array([])]).interpolatedText == #"{"a":[],"b":1}"#)
    }

    @Test func truthinessAndEmptiness() {
        #expect(!JSONValue.null.isTruthy && !JSONValue.bool(false).isTruthy && !JSONValue.number(0).isTruthy)
        #expect(!JSONValue.string("").isTruthy && !JSONValue.array([]).isTruthy && !JSONValue.object([:]).isTruthy)
        #expect(JSONValue.string("x").isTruthy && JSONValue.number(-1).isTruthy)
        #expect(JSONValue.null.isEmpty && !JSONValue.number(0).isEmpty && !JSONValue.array([.null]).isEmpty)
    }

    @Test func jsonValueCodableRoundTrip() throws {
        let value = JSONValue.object(["a": .number(2), "b": .number(2.5), "c": .array([.null, .bool(true), .string("s")])])
        let data = try JSONEncoder().encode(value)
        #expect(
            String(decoding: data, as: UTF8.self).contains("\"a\":2,")
                || String(decoding: data, as: UTF8.self).contains("\"a\":2}"))
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }
}
