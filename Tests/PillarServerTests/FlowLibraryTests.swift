import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import PillarServer

/// Flows saved through the API: validated with errors that name the line, run as a DAG, versioned and
/// labelled like prompts, and served by name on both chat routes.
@Suite struct FlowLibraryTests {
    /// A flow with two independent branches (a tool call to the simulator's health endpoint, and a
    /// retrieval), a route on the tool's answer, a template and a guard that only flags.
    static func toolFlow(port: Int, greeting: String = "Hello") -> String {
        """
        name: desk
        description: Says whether the model service is up, with the best passage.
        inputs:
          question: {type: string, required: true}
          history: {type: messages, default: []}
        nodes:
          screen:
            kind: guard
            input: ${inputs.question}
            checks: [{blocklist: [password]}]
            on_fail: continue
          status:
            kind: http
            method: GET
            url: "http://127.0.0.1:\(port)/health?q=${inputs.question}"
            timeout_seconds: 5
          passages:
            kind: retrieve
            query: ${inputs.question}
            top_k: 2
            mode: keyword
          decide:
            kind: route
            routes:
              - when: ${status.output.status} == 'ok'
                to: up
            default: down
          up:
            kind: template
            template: "\(greeting), the service is {{state}} and {{count}} passages match: {{#chunks}}[{{marker}}] {{/chunks}}"
            variables: {state: "${status.output.status}", count: "${passages.count}", chunks: "${passages.chunks}"}
          down:
            kind: template
            template: "The service is down."
        outputs:
          answer: ${up.output || down.output}
          sources: ${passages.chunks}
          flagged: ${screen.findings}
        """
    }

    /// A status service that takes half a second to answer, so a flow run in sequence would show it.
    func withSlowStatusService<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        let router = Router()
        router.get("health") { _, _ in
            try await Task.sleep(for: .milliseconds(500))
            return try JSONResponse.make(["status": "ok"])
        }
        router.get("ready") { _, _ in "ok" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await waitUntilServing(port: client.port!, path: "/ready")
            return try await body(client.port!)
        }
    }

    @Test func aSavedFlowRunsAsADAGWithToolsRoutesAndTemplates() async throws {
        try await withSimulator { simulatorPort in
            try await withSlowStatusService { statusPort in
                try await withPillar(
                    deployments: [simulatorDeployment("sim", port: simulatorPort, models: ["sim", "sim-embed"])],
                    configure: { configuration in
                        configuration.retrieval.embeddingModel = "sim-embed"
                        configuration.flows.allowedHosts = ["127.0.0.1:\(statusPort)"]
                    }
                ) { pillar in
                    #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
                    let saved = try await pillar.request(
                        .POST, "/v1/admin/flows", body: Self.toolFlow(port: statusPort),
                        contentType: "application/yaml")
                    #expect(saved.status == 201, "\(saved.body)")
                    #expect(saved.json["version"] as? Int == 1)

                    let answer = try await pillar.ask("hotel receipts password", flow: "desk")
                    #expect(answer.status == 200, "\(answer.body)")
                    let text = try #require(answer.json["answer"] as? String)
                    #expect(text.hasPrefix("Hello, the service is ok and 1 passages match: [1]"), "\(text)")
                    #expect((answer.json["flow"] as? [String: Any])?["name"] as? String == "desk")
                    let outputs = try #require(answer.json["outputs"] as? [String: Any])
                    #expect((outputs["flagged"] as? [String])?.first?.contains("password") == true)

                    let trace = try await pillar.request(.GET, "/v1/traces/\(answer.json["trace_id"] as? String ?? "")")
                    let nodes = try #require(trace.json["nodes"] as? [[String: Any]])
                    let byName = Dictionary(uniqueKeysWithValues: nodes.map { ($0["name"] as! String, $0) })
                    #expect(byName["status"]?["note"] as? String == "HTTP 200")
                    #expect(byName["down"]?["status"] as? String == "skipped")
                    #expect(byName["decide"]?["note"] as? String == "chose 'up'")
                    let guards = try #require(trace.json["guards"] as? [[String: Any]])
                    #expect(guards.first?["passed"] as? Bool == false && guards.first?["action"] as? String == "flag")
                    // Independent nodes run together: the retrieval starts while the half-second tool call is under way
                    // (in sequence it would start after it ended).
                    let status = try #require(byName["status"])
                    let passages = try #require(byName["passages"])
                    let statusStart = status["start_ms"] as? Double ?? 0
                    let passagesStart = passages["start_ms"] as? Double ?? 0
                    #expect(status["duration_ms"] as? Double ?? 0 >= 500)
                    #expect(passagesStart < statusStart + (status["duration_ms"] as? Double ?? 0))

                    // The same flow on the OpenAI route, and a new version behind a label.
                    let openAI = try await pillar.chat("hotel receipts", model: "pillar:desk")
                    #expect(openAI.status == 200, "\(openAI.body)")
                    let v2 = try await pillar.request(
                        .POST, "/v1/admin/flows", body: Self.toolFlow(port: statusPort, greeting: "Hi"),
                        contentType: "application/yaml")
                    #expect(v2.json["version"] as? Int == 2)
                    #expect(
                        try await pillar.request(.PUT, "/v1/admin/flows/desk/labels/staging", body: #"{"version": 2}"#).status
                            == 200)
                    let staged = try await pillar.ask("hotel receipts", flow: "desk", label: "staging")
                    #expect((staged.json["answer"] as? String)?.hasPrefix("Hi,") == true, "\(staged.body)")
                    #expect((staged.json["flow"] as? [String: Any])?["version"] as? Int == 2)
                    let pinned = try await pillar.ask("hotel receipts", flow: "desk@1")
                    #expect((pinned.json["answer"] as? String)?.hasPrefix("Hello,") == true)
                    let diff = try await pillar.request(.GET, "/v1/admin/flows/desk/diff?from=1&to=2")
                    #expect((diff.json["diff"] as? String)?.contains("+    template: \"Hi, the service") == true, "\(diff.body)")
                }
            }
        }
    }

    @Test func flowsAreValidatedWithErrorsThatNameTheLine() async throws {
        try await withRetrievalPillar { pillar in
            let cyclic = """
                name: loop
                nodes:
                  a:
                    kind: template
                    template: "{{x}}"
                    variables: {x: "${b.output}"}
                  b:
                    kind: template
                    template: "{{x}}"
                    variables: {x: "${a.output}"}
                outputs:
                  answer: ${a.output}
                """
            let refused = try await pillar.request(.POST, "/v1/admin/flows", body: cyclic, contentType: "application/yaml")
            #expect(refused.status == 400)
            #expect(refused.errorCode == "invalid_flow")
            let message = (refused.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("line 3") && message.contains("cycle"), "\(message)")

            let tool = """
                name: leak
                nodes:
                  call:
                    kind: http
                    url: "http://169.254.169.254/latest/meta-data"
                outputs:
                  answer: ${call.output}
                """
            let forbidden = try await pillar.request(.POST, "/v1/admin/flows", body: tool, contentType: "application/yaml")
            #expect(forbidden.status == 400)
            #expect(
                ((forbidden.json["error"] as? [String: Any])?["message"] as? String)?.contains("line 5") == true,
                "\(forbidden.body)")

            let badTemplate = """
                name: broken
                nodes:
                  say:
                    kind: template
                    template: "{{#open}} never closed"
                outputs:
                  answer: ${say.output}
                """
            let broken = try await pillar.request(.POST, "/v1/admin/flows", body: badTemplate, contentType: "application/yaml")
            #expect(broken.status == 400)
            #expect(
                ((broken.json["error"] as? [String: Any])?["message"] as? String)?.contains("line 3") == true, "\(broken.body)")

            let json = try await pillar.request(.POST, "/v1/admin/flows", body: #"{"yaml": "name: [unclosed"}"#)
            #expect(json.status == 400)
            #expect(try await pillar.request(.GET, "/v1/admin/flows/loop").status == 404)
            let listed = try await pillar.request(.GET, "/v1/admin/flows")
            #expect((listed.json["data"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["rag"])
        }
    }

    @Test func aFlowInputOfTheWrongTypeIsRefused() async throws {
        try await withRetrievalPillar { pillar in
            let flow = """
                name: echo
                inputs:
                  question: {type: string, required: true}
                  count: {type: number, required: true}
                nodes:
                  say:
                    kind: template
                    template: "{{question}}"
                    variables: {question: "${inputs.question}"}
                outputs:
                  answer: ${say.output}
                """
            #expect(try await pillar.request(.POST, "/v1/admin/flows", body: flow, contentType: "application/yaml").status == 201)
            let missing = try await pillar.ask("hi", flow: "echo")
            #expect(missing.status == 400)
            #expect(((missing.json["error"] as? [String: Any])?["message"] as? String)?.contains("count") == true)
        }
    }
}
