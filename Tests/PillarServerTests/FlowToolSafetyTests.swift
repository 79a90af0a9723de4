import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import PillarServer

/// What keeps flows' tool calls and flow documents from being turned against the server.
@Suite struct FlowToolSafetyTests {
    /// A server that answers every request with a redirect to `location`.
    func withRedirector<T: Sendable>(to location: String, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let router = Router()
        router.get("hop") { _, _ in Response(status: .found, headers: [.location: location]) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await waitUntilServing(port: client.port!, path: "/hop")
            return try await body(client.port!)
        }
    }

    static func toolFlow(url: String) -> String {
        """
        name: tool
        inputs:
          question: {type: string, required: true}
        nodes:
          call:
            kind: http
            url: "\(url)"
        outputs:
          answer: "${call.status} ${call.output.status}"
        """
    }

    @Test func redirectsAreNotFollowedAndValuesAreEncoded() async throws {
        try await withSimulator { simulatorPort in
            // The redirect points at the simulator, whose port is not allowed.
            try await withRedirector(to: "http://127.0.0.1:\(simulatorPort)/health") { redirectorPort in
                try await withPillar(
                    deployments: [simulatorDeployment("sim", port: simulatorPort, models: ["sim", "sim-embed"])],
                    configure: { configuration in
                        configuration.retrieval.embeddingModel = "sim-embed"
                        configuration.flows.allowedHosts = ["LOCALHOST", "127.0.0.1:\(redirectorPort)"]
                    }
                ) { pillar in
                    let saved = try await pillar.request(
                        .POST, "/v1/admin/flows",
                        body: Self.toolFlow(url: "http://127.0.0.1:\(redirectorPort)/hop?q=${inputs.question}"),
                        contentType: "application/yaml")
                    #expect(saved.status == 201, "\(saved.body)")
                    // Spaces, & and # in the question stay inside the one parameter.
                    let answer = try await pillar.ask("a b&c=d#e", flow: "tool")
                    #expect(answer.status == 200, "\(answer.body)")
                    #expect(
                        (answer.json["answer"] as? String)?.hasPrefix("302") == true,
                        "the redirect is the tool's answer: \(answer.body)")

                    // Not allowed: another port of an allowed host:port entry; allowed: any port of a bare host.
                    let other = try await pillar.request(
                        .POST, "/v1/admin/flows", body: Self.toolFlow(url: "http://127.0.0.1:\(simulatorPort)/health"),
                        contentType: "application/yaml")
                    #expect(other.status == 400, "\(other.body)")
                    let bare = try await pillar.request(
                        .POST, "/v1/admin/flows", body: Self.toolFlow(url: "http://localhost:\(simulatorPort)/health"),
                        contentType: "application/yaml")
                    #expect(bare.status == 201, "\(bare.body)")
                    let answered = try await pillar.ask("hi", flow: "tool@2")
                    #expect((answered.json["answer"] as? String) == "200 ok", "\(answered.body)")
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func aliasBombsAreRefusedWithoutExpanding() async throws {
        try await withRetrievalPillar { pillar in
            var yaml = "name: bomb\nlevels:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
            for level in 1..<10 {
                let refs = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
                yaml += "  l\(level): &l\(level) [\(refs)]\n"
            }
            yaml += "nodes:\n  a:\n    kind: template\n    template: hi\noutputs:\n  answer: ${a.output}\n"
            let refused = try await pillar.request(.POST, "/v1/admin/flows", body: yaml, contentType: "application/yaml")
            #expect(refused.status == 400, "\(refused.body)")
            #expect(
                ((refused.json["error"] as? [String: Any])?["message"] as? String)?.contains("aliases") == true, "\(refused.body)"
            )
        }
    }

    @Test func rollingBackALabelThatDoesNotExistIs404() async throws {
        try await withRetrievalPillar { pillar in
            let unknownLabel = try await pillar.request(.POST, "/v1/admin/prompts/rag-answer/labels/nightly/rollback")
            #expect(unknownLabel.status == 404)
            let unknownFlow = try await pillar.request(.POST, "/v1/admin/flows/nope/labels/production/rollback")
            #expect(unknownFlow.status == 404)
        }
    }
}
