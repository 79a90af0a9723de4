import Testing

@testable import PillarEval

@Suite struct JSONSchemaSubsetTests {
    static func schema(_ yaml: String) throws(CustomScorerError) -> JSONSchemaSubset {
        let set = try CustomScorerSet(yaml: "scorers:\n  - name: s\n    kind: json_schema\n    schema: \(yaml)")
        guard case .jsonSchema(let schema)? = set.scorers.first?.check else { throw CustomScorerError(problems: ["no schema"]) }
        return schema
    }

    static func violation(_ schema: JSONSchemaSubset, _ json: String) -> String? {
        switch ScorerJSON.parse(json) {
        case .success(let value): return schema.violation(of: value)
        case .failure(let failure): return "parse: " + failure.reason
        }
    }

    @Test func types() throws {
        let integer = try Self.schema("{type: integer}")
        #expect(Self.violation(integer, "3") == nil)
        #expect(Self.violation(integer, "3.0") == nil)
        #expect(Self.violation(integer, "3.5") == "$: expected integer, got number")
        #expect(Self.violation(integer, "true") == "$: expected integer, got boolean")
        let either = try Self.schema("{type: [string, 'null']}")
        #expect(Self.violation(either, "null") == nil)
        #expect(Self.violation(either, "[]") == "$: expected null or string, got array")
    }

    @Test func objects() throws {
        let schema = try Self.schema(
            "{type: object, required: [answer], additionalProperties: false, properties: {answer: {type: string, minLength: 2, maxLength: 5}, n: {type: number, minimum: 0, maximum: 10}}}"
        )
        #expect(Self.violation(schema, #"{"answer": "yes", "n": 10}"#) == nil)
        #expect(Self.violation(schema, #"{"n": 1}"#) == "$: the required property 'answer' is missing")
        #expect(Self.violation(schema, #"{"answer": "yes", "x": 1}"#) == "$: the property 'x' is not allowed")
        #expect(Self.violation(schema, #"{"answer": "y"}"#) == "$.answer: the string is shorter than 2 characters")
        #expect(Self.violation(schema, #"{"answer": "ééééé"}"#) == nil)
        #expect(Self.violation(schema, #"{"answer": "toolong"}"#) == "$.answer: the string is longer than 5 characters")
        #expect(Self.violation(schema, #"{"answer": "ok", "n": -1}"#) == "$.n: -1 is less than the minimum 0")
        #expect(Self.violation(schema, #"{"answer": "ok", "n": 10.5}"#) == "$.n: 10.5 is more than the maximum 10")
    }

    @Test func arraysEnumConstAndPattern() throws {
        let schema = try Self.schema("{type: array, minItems: 1, maxItems: 2, items: {enum: [red, 2, null, {a: [1]}]}}")
        #expect(Self.violation(schema, #"["red", 2.0]"#) == nil)
        #expect(Self.violation(schema, #"[null, {"a": [1]}]"#) == nil)
        #expect(Self.violation(schema, "[]") == "$: the array has fewer than 1 items")
        #expect(Self.violation(schema, #"["red", 2, 2]"#) == "$: the array has more than 2 items")
        #expect(Self.violation(schema, #"["blue"]"#) == "$[0]: the value is not one of the allowed values")
        let constant = try Self.schema("{const: 'yes'}")
        #expect(Self.violation(constant, #""yes""#) == nil)
        #expect(Self.violation(constant, #""no""#) == "$: the value is not the required constant")
        let pattern = try Self.schema(#"{type: string, pattern: '^\d{3}$'}"#)
        #expect(Self.violation(pattern, #""123""#) == nil)
        #expect(Self.violation(pattern, #""1234""#) == #"$: the string does not match the pattern ^\d{3}$"#)
        let nothing = try Self.schema("{type: object, properties: {a: false}}")
        #expect(Self.violation(nothing, #"{"a": 1}"#) == "$.a: no value is allowed here")
    }

    @Test func answersThatAreNotJSON() throws {
        let schema = try Self.schema("{type: object}")
        #expect(Self.violation(schema, "Sure! Here it is.") == "parse: the answer is not JSON")
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(Self.violation(schema, deep) == "parse: the answer nests deeper than 64 levels")
    }

    @Test func schemaErrorsNameTheirPath() {
        let yaml =
            "scorers:\n  - name: s\n    kind: json_schema\n    schema: {type: thing, oneOf: [], properties: {a: {minLength: -1, pattern: '('}}, additionalProperties: {type: string}, items: [{type: string}]}"
        do {
            _ = try CustomScorerSet(yaml: yaml)
            Issue.record("the schema should be refused")
        } catch {
            #expect(
                error.problems == [
                    "scorers[0].schema.additionalProperties: only true or false is supported",
                    "scorers[0].schema.items: must be one schema (a list of schemas is not supported)",
                    "scorers[0].schema.oneOf: unsupported keyword",
                    "scorers[0].schema.properties.a.minLength: must be a non-negative integer",
                    "scorers[0].schema.properties.a.pattern: '(' is not a valid regular expression",
                    "scorers[0].schema.type: 'thing' is not one of array, boolean, integer, null, number, object, string",
                ])
        }
    }

    @Test func schemasNestAtMost32Deep() throws {
        func nested(_ depth: Int) -> String {
            (1..<depth).reduce("{type: string}") { inner, _ in "{properties: {a: \(inner)}}" }
        }
        _ = try Self.schema(nested(32))
        #expect(throws: CustomScorerError.self) { try Self.schema(nested(33)) }
        do {
            _ = try Self.schema(nested(33))
        } catch {
            #expect(error.problems.first?.hasSuffix("schemas nest at most 32 deep") == true)
        }
    }
}
