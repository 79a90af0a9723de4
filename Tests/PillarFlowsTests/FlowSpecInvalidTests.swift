import Foundation
import PillarFlows
import Testing

/// A minimal valid flow with `extra` spliced in under `nodes:` (starting at line 8).
private func doc(nodes extra: String, outputs: String = "  out: ${a.output}") -> String {
    """
    name: bad
    inputs:
      q: {type: string, required: true}
    nodes:
      a:
        kind: template
        template: "hi {{q}}"
    \(extra)
    outputs:
    \(outputs)
    """
}

struct InvalidFlowCase: Sendable, CustomTestStringConvertible {
    var label: String
    var yaml: String
    var line: Int
    var message: String
    var hosts: Set<String> = ["127.0.0.1:8089"]
    var testDescription: String { label }
}

private let invalidFlowCases: [InvalidFlowCase] = [
    InvalidFlowCase(
        label: "unknown node ref",
        yaml: doc(
            nodes: """
                  b:
                    kind: llm
                    prompt: p
                    variables: {x: ${retreive.chunks}}
                """), line: 11, message: "node 'b' references unknown node 'retreive'"),
    InvalidFlowCase(
        label: "cycle",
        yaml: doc(
            nodes: """
                  b:
                    kind: llm
                    prompt: p
                    variables: {x: ${c.output}}
                  c:
                    kind: llm
                    prompt: p
                    variables: {x: ${b.output}}
                """), line: 8, message: "cycle: b -> c -> b"),
    InvalidFlowCase(
        label: "bad kind",
        yaml: doc(
            nodes: """
                  b:
                    kind: lmm
                """), line: 9, message: "unknown kind 'lmm'"),
    InvalidFlowCase(
        label: "missing key",
        yaml: doc(
            nodes: """
                  b:
                    kind: retrieve
                    top_k: 3
                """), line: 8, message: "missing required key 'query'"),
    InvalidFlowCase(
        label: "unknown key",
        yaml: doc(
            nodes: """
                  b:
                    kind: retrieve
                    query: x
                    topk: 3
                """), line: 11, message: "unknown key 'topk'"),
    InvalidFlowCase(
        label: "wrong type",
        yaml: doc(
            nodes: """
                  b:
                    kind: llm
                    prompt: p
                    max_tokens: lots
                """), line: 11, message: "max_tokens must be an integer"),
    InvalidFlowCase(
        label: "top_k out of range",
        yaml: doc(
            nodes: """
                  b:
                    kind: retrieve
                    query: ${inputs.q}
                    top_k: 51
                """), line: 11, message: "top_k must be between 1 and 50"),
    InvalidFlowCase(
        label: "two streaming nodes",
        yaml: doc(
            nodes: """
                  b:
                    kind: llm
                    prompt: p
                    stream: true
                  c:
                    kind: llm
                    prompt: p
                    stream: true
                """), line: 12, message: "at most one node may stream"),
    InvalidFlowCase(
        label: "stream on non-llm",
        yaml: doc(
            nodes: """
                  b:
                    kind: retrieve
                    query: x
                    stream: true
                """), line: 11, message: "only llm nodes may have stream: true"),
    InvalidFlowCase(
        label: "route to unknown node",
        yaml: doc(
            nodes: """
                  b:
                    kind: route
                    routes:
                      - when: ${a.output} == 'x'
                        to: nowhere
                    default: a
                """), line: 12, message: "routes to unknown node 'nowhere'"),
    InvalidFlowCase(
        label: "http host not allowed",
        yaml: doc(
            nodes: """
                  b:
                    kind: http
                    url: "https://evil.example.com/x"
                """), line: 10, message: "'evil.example.com' is not in flows.allowedHosts"),
    InvalidFlowCase(
        label: "http host as expression",
        yaml: doc(
            nodes: """
                  b:
                    kind: http
                    url: "http://${inputs.q}/x"
                """), line: 10, message: "no ${...} before the path"),
    InvalidFlowCase(
        label: "http with no allowed hosts",
        yaml: doc(
            nodes: """
                  b:
                    kind: http
                    url: "http://127.0.0.1:8089/x"
                """), line: 10, message: "no hosts are allowed for http nodes; set flows.allowedHosts", hosts: []),
    InvalidFlowCase(
        label: "undeclared input", yaml: doc(nodes: "", outputs: "  out: ${inputs.question}"),
        line: 10, message: "output 'out' references undeclared input 'question'"),
    InvalidFlowCase(
        label: "YAML syntax error", yaml: "name: x\nnodes:\n  a:\n    kind: llm\n   prompt: [unclosed\n",
        line: 5, message: "invalid YAML"),
    InvalidFlowCase(
        label: "bad node name",
        yaml: doc(
            nodes: """
                  Bad-Name:
                    kind: llm
                    prompt: p
                """), line: 8, message: "node name 'Bad-Name' must match"),
    InvalidFlowCase(
        label: "inputs as node name",
        yaml: doc(
            nodes: """
                  inputs:
                    kind: llm
                    prompt: p
                """), line: 8, message: "'inputs' is reserved"),
    InvalidFlowCase(
        label: "default not matching type",
        yaml: """
            name: x
            inputs:
              n: {type: number, default: "three"}
            nodes:
              a: {kind: template, template: "t"}
            outputs:
              o: ${a.output}
            """, line: 3, message: "input 'n' default does not match its type number"),
    InvalidFlowCase(
        label: "self reference",
        yaml: doc(
            nodes: """
                  b:
                    kind: retrieve
                    query: ${b.output}
                """), line: 10, message: "node 'b' references itself"),
    InvalidFlowCase(
        label: "unknown top-level key", yaml: doc(nodes: "") + "\nversion: 2", line: 11,
        message: "unknown top-level key 'version'"),
    InvalidFlowCase(
        label: "missing outputs", yaml: "name: x\nnodes:\n  a: {kind: template, template: t}\n", line: 1,
        message: "missing required top-level key 'outputs'"),
    InvalidFlowCase(label: "top level not a map", yaml: "- a\n- b\n", line: 1, message: "must be a YAML map"),
    InvalidFlowCase(
        label: "bad enum",
        yaml: doc(
            nodes: """
                  b:
                    kind: retrieve
                    query: x
                    mode: semantic
                """), line: 11, message: "mode must be one of keyword, vector, hybrid"),
    InvalidFlowCase(
        label: "timeout out of range",
        yaml: doc(
            nodes: """
                  b:
                    kind: http
                    url: http://127.0.0.1:8089/
                    timeout_seconds: 61
                """), line: 11, message: "timeout_seconds must be > 0 and <= 60"),
    InvalidFlowCase(
        label: "unbalanced mustache",
        yaml: doc(
            nodes: """
                  b:
                    kind: template
                    template: "hi {{name"
                """), line: 10, message: "'{{' is never closed"),
    InvalidFlowCase(
        label: "bad condition",
        yaml: doc(
            nodes: """
                  b:
                    kind: llm
                    when: a.output == 1
                    prompt: p
                """), line: 10, message: "operand 'a.output'"),
    InvalidFlowCase(
        label: "route to itself",
        yaml: doc(
            nodes: """
                  b:
                    kind: route
                    routes: []
                    default: b
                """), line: 8, message: "cannot route to itself"),
    InvalidFlowCase(
        label: "bad flow name", yaml: doc(nodes: "").replacingOccurrences(of: "name: bad", with: "name: Bad Flow"),
        line: 1, message: "flow name 'Bad Flow'"),
]

@Suite struct FlowSpecInvalidTests {
    @Test(arguments: invalidFlowCases)
    func reportsLineAndMessage(_ testCase: InvalidFlowCase) {
        do {
            _ = try FlowSpec.parse(yaml: testCase.yaml, allowedHosts: testCase.hosts)
            Issue.record("\(testCase.label): expected an error")
        } catch {
            let match = error.issues.first { $0.message.contains(testCase.message) }
            #expect(match != nil, "\(testCase.label): no issue contains '\(testCase.message)' in \(error.description)")
            #expect(match?.line == testCase.line, "\(testCase.label): \(error.description)")
            #expect(match?.description.hasPrefix("line \(testCase.line): ") == true)
        }
    }

    @Test func collectsEveryIssueSortedByLine() {
        let yaml = doc(
            nodes: """
                  b:
                    kind: retrieve
                    query: ${nope.x}
                    top_k: 0
                    mode: fuzzy
                """, outputs: "  out: ${inputs.zzz}")
        do {
            _ = try FlowSpec.parse(yaml: yaml, allowedHosts: [])
            Issue.record("expected errors")
        } catch {
            #expect(error.issues.map(\.line) == [10, 11, 12, 14])
        }
    }

    @Test func validDocumentsStillParseWithoutInputs() throws {
        let spec = try FlowSpec.parse(
            yaml: "name: min\nnodes:\n  a: {kind: template, template: t}\noutputs:\n  o: ${a.output}\n",
            allowedHosts: [])
        #expect(spec.levels == [["a"]])
        #expect(spec.streamingNode == nil)
    }
}
