import PillarCore
import PillarFlows
import Testing

let exampleFlow = """
    name: rag
    description: Answer from the tenant's documents, with citations.
    inputs:
      question: {type: string, required: true}
      history: {type: messages, default: []}
    nodes:
      check_input:
        kind: guard
        input: ${inputs.question}
        checks: [not_empty, {max_chars: 8000}, {blocklist: [foo, bar]}, {pattern: "(?i)ignore previous"}]
        on_fail: block
      condense:
        kind: llm
        when: ${inputs.history} is not empty
        prompt: rag-condense
        variables:
          question: ${inputs.question}
          history: ${inputs.history}
        model: gpt-4o-mini
        max_tokens: 64
        temperature: 0
      retrieve:
        kind: retrieve
        query: ${condense.output || inputs.question}
        top_k: 5
        mode: hybrid
        min_similarity: 0.3
      route:
        kind: route
        routes:
          - when: ${retrieve.count} == 0
            to: no_answer
        default: answer
      no_answer:
        kind: template
        template: "The documents available to you do not say. {{question}}"
        variables: {question: ${inputs.question}}
      answer:
        kind: llm
        prompt: rag-answer
        stream: true
        variables:
          question: ${inputs.question}
          sources: ${retrieve.chunks}
      lookup:
        kind: http
        method: POST
        url: "http://127.0.0.1:8089/tool?q=${inputs.question}"
        headers: {Accept: application/json}
        body: {q: ${inputs.question}}
        timeout_seconds: 5
    outputs:
      answer: ${answer.output || no_answer.output}
      sources: ${retrieve.chunks}
    """

@Suite struct FlowSpecExampleTests {
    func parseExample() throws -> FlowSpec {
        try FlowSpec.parse(yaml: exampleFlow, allowedHosts: ["127.0.0.1:8089"])
    }

    @Test func parsesNodesInFileOrderWithKinds() throws {
        let spec = try parseExample()
        #expect(spec.name == "rag")
        #expect(spec.description == "Answer from the tenant's documents, with citations.")
        #expect(spec.nodes.map(\.name) == ["check_input", "condense", "retrieve", "route", "no_answer", "answer", "lookup"])
        #expect(spec.nodes.map(\.kindName) == ["guard", "llm", "retrieve", "route", "template", "llm", "http"])
        #expect(spec.streamingNode == "answer")
        #expect(spec.node(named: "answer")?.line == 38)
        #expect(spec.outputs.map(\.name) == ["answer", "sources"])
    }

    @Test func parsesInputs() throws {
        let spec = try parseExample()
        #expect(spec.inputs.map(\.name) == ["question", "history"])
        #expect(spec.inputs[0].type == .string && spec.inputs[0].required)
        #expect(spec.inputs[1].type == .messages && spec.inputs[1].defaultValue == .array([]))
    }

    @Test func parsesStepFields() throws {
        let spec = try parseExample()
        guard case .guardrail(let guardStep) = spec.node(named: "check_input")?.kind else {
            Issue.record("guard")
            return
        }
        #expect(guardStep.checks == [.notEmpty, .maxChars(8000), .blocklist(["foo", "bar"]), .pattern("(?i)ignore previous")])
        #expect(guardStep.onFail == .block)
        guard case .llm(let condense) = spec.node(named: "condense")?.kind else {
            Issue.record("llm")
            return
        }
        #expect(condense.prompt == "rag-condense" && condense.model == "gpt-4o-mini")
        #expect(condense.maxTokens == 64 && condense.temperature == 0 && !condense.stream)
        #expect(spec.node(named: "condense")?.when?.op == .isNotEmpty)
        guard case .retrieve(let retrieve) = spec.node(named: "retrieve")?.kind else {
            Issue.record("retrieve")
            return
        }
        #expect(retrieve.topK == 5 && retrieve.mode == .hybrid && retrieve.minSimilarity == 0.3)
        #expect(
            retrieve.query
                == .reference([
                    FlowReference(root: "condense", path: ["output"]),
                    FlowReference(root: "inputs", path: ["question"]),
                ]))
        guard case .route(let route) = spec.node(named: "route")?.kind else {
            Issue.record("route")
            return
        }
        #expect(route.routes.map(\.target) == ["no_answer"] && route.defaultTarget == "answer")
        guard case .http(let http) = spec.node(named: "lookup")?.kind else {
            Issue.record("http")
            return
        }
        #expect(http.method == .POST && http.timeoutSeconds == 5)
        #expect(http.headers == [FlowField(name: "Accept", value: .literal(.string("application/json")))])
        #expect(
            http.body == .object([FlowField(name: "q", value: .reference([FlowReference(root: "inputs", path: ["question"])]))]))
        guard case .template(let template) = spec.node(named: "no_answer")?.kind else {
            Issue.record("template")
            return
        }
        #expect(template.variables[name: "question"] == .reference([FlowReference(root: "inputs", path: ["question"])]))
    }

    @Test func computesDependencies() throws {
        let spec = try parseExample()
        #expect(spec.node(named: "check_input")?.dependencies == [])
        #expect(spec.node(named: "retrieve")?.dependencies == ["condense"])
        #expect(spec.node(named: "retrieve")?.requiredDependencies == [])
        #expect(spec.node(named: "route")?.dependencies == ["retrieve"])
        #expect(spec.node(named: "answer")?.dependencies == ["retrieve", "route"])
        #expect(spec.node(named: "answer")?.requiredDependencies == ["retrieve"])
        #expect(spec.node(named: "answer")?.routedFrom == ["route"])
        #expect(spec.node(named: "no_answer")?.dependencies == ["route"])
        #expect(spec.dependencies(of: "answer") == ["retrieve", "route"])
        let references = spec.references(of: spec.node(named: "retrieve")!).map(\.description)
        #expect(references == ["condense.output", "inputs.question"])
    }

    @Test func computesLevels() throws {
        let spec = try parseExample()
        #expect(spec.levels == [["check_input", "condense", "lookup"], ["retrieve"], ["route"], ["no_answer", "answer"]])
    }

    @Test func unquotedExpressionInFlowMappingParses() throws {
        let spec = try parseExample()
        let resolved = spec.node(named: "lookup").flatMap { node -> JSONValue? in
            guard case .http(let step) = node.kind else { return nil }
            return step.body?.evaluate { $0.description == "inputs.question" ? .string("hi") : nil }
        }
        #expect(resolved == .object(["q": .string("hi")]))
    }
}
