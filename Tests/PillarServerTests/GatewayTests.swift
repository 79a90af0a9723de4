import Foundation
import NIOHTTP1
import PillarCore
import PillarStore
import Testing

@testable import PillarGateway
@testable import PillarServer

/// The gateway against the project's simulator on real ports: failover before anything reached the client,
/// upstream errors mapped to clear ones, and failures in mid-stream made explicit.
@Suite struct GatewayTests {
    @Test func failsOverToTheNextDeploymentWhenTheFirstFails() async throws {
        let failing = SimulatorBehaviour(
            timeToFirstToken: .zero, tokensPerSecond: 5000, fault: .status(503, retryAfterSeconds: nil))
        try await withSimulator(failing) { badPort in
            try await withSimulator(
                SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 5000, reply: "from the spill-over")
            ) { goodPort in
                try await withPillar(deployments: [
                    simulatorDeployment("provisioned", port: badPort, models: ["gpt"], priority: 0),
                    simulatorDeployment("paygo", port: goodPort, models: ["gpt"], priority: 1),
                ]) { pillar in
                    for stream in [false, true] {
                        let response = try await pillar.chat("hi", model: "gpt", stream: stream)
                        #expect(response.status == 200)
                        #expect(response.body.contains("from") && response.body.contains("spill-over"))
                    }
                    let turns = try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory))
                        .listTurns(tenant: "default", limit: 10)
                    #expect(turns.allSatisfy { $0.deployment == "paygo" && $0.status == .succeeded })
                }
            }
        }
    }

    @Test(arguments: [
        (429, 429, "upstream_rate_limited"),
        (500, 502, "upstream_error"),
        (400, 400, "upstream_rejected"),
        // Chat sent to an embedding server: the caller's mistake, answered at once and not held against it.
        (501, 400, "unsupported_operation"),
    ])
    func mapsUpstreamErrorsWhenNoDeploymentCanServe(upstream: Int, expected: Int, code: String) async throws {
        let failing = SimulatorBehaviour(
            timeToFirstToken: .zero, tokensPerSecond: 5000, fault: .status(upstream, retryAfterSeconds: 7))
        try await withSimulator(failing) { port in
            // A Retry-After of 7 s does not fit a 2 s retry budget: the caller hears it at once.
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)], configure: { $0.gateway.retryTotalSeconds = 2 }
            ) { pillar in
                let response = try await pillar.chat("hi")
                #expect(response.status == expected)
                #expect(response.errorCode == code)
                if upstream == 429 { #expect(response.headers["retry-after"] == "7") }
                let turns = try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory))
                    .listTurns(tenant: "default", limit: 10)
                #expect(turns.first?.status == .failed)
                #expect(turns.first?.errorCode == code)
                if upstream == 501 { #expect(turns.first?.attempts == 1) }
            }
        }
    }

    @Test func anUnreachableDeploymentAnswers503WithRetryAfter() async throws {
        try await withPillar(deployments: [simulatorDeployment("gone", port: 1)], configure: { $0.timeouts.connectSeconds = 0.2 })
        { pillar in
            let response = try await pillar.chat("hi", model: "gone")
            #expect(response.status == 503)
            #expect(response.headers["retry-after"] != nil)
        }
    }

    @Test(arguments: [SimulatorBehaviour.Fault.cutAfter(tokens: 3), .malformedAfter(tokens: 3)])
    func aFailureInMidStreamEndsWithAnErrorEventNotASilentStop(fault: SimulatorBehaviour.Fault) async throws {
        let behaviour = SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 5000, reply: "a b c d e f g", fault: fault)
        try await withSimulator(behaviour) { port in
            try await withPillar(deployments: [simulatorDeployment("sim", port: port)]) { pillar in
                let response = try await pillar.chat("hi", stream: true)
                #expect(response.status == 200)
                // A reset may lose the last token in flight; what arrived is the start of the answer.
                #expect(!response.streamedText.isEmpty && "a b c".hasPrefix(response.streamedText))
                let last = try #require(response.events.last)
                #expect(last != "[DONE]")
                let error =
                    (try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])?["error"] as? [String: Any]
                #expect(["upstream_truncated", "upstream_malformed"].contains(error?["code"] as? String))
                let turns = try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory))
                    .listTurns(tenant: "default", limit: 10)
                #expect(turns.first?.status == .failed)
            }
        }
    }

    @Test func sendsTheDeploymentKeyUpstream() async throws {
        try await withSimulator(fastSimulator, apiKey: "sk-upstream-secret") { port in
            var withKey = simulatorDeployment("keyed", port: port)
            withKey.apiKeyEnv = "SIM_KEY"
            try await withPillar(deployments: [withKey], environment: ["SIM_KEY": "sk-upstream-secret"]) { pillar in
                let status = try await pillar.chat("hi", model: "keyed").status
                #expect(status == 200)
            }
            var wrongKey = simulatorDeployment("wrong", port: port)
            wrongKey.apiKeyEnv = "SIM_KEY"
            try await withPillar(deployments: [wrongKey], environment: ["SIM_KEY": "sk-wrong"]) { pillar in
                let status = try await pillar.chat("hi", model: "wrong").status
                #expect(status == 502)
            }
        }
    }

    @Test func azureDeploymentsUseTheirURLShapeAndApiKeyHeader() async throws {
        try await withSimulator(fastSimulator, apiKey: "azure-secret") { port in
            var azure = PillarConfiguration.Deployment(
                name: "azure-gpt", baseURL: "http://127.0.0.1:\(port)", model: "gpt-4o-prod")
            azure.api = .azureOpenAI
            azure.apiVersion = "2024-10-21"
            azure.apiKeyEnv = "AZURE_KEY"
            try await withPillar(deployments: [azure], environment: ["AZURE_KEY": "azure-secret"]) { pillar in
                let response = try await pillar.chat("via azure", model: "azure-gpt", stream: true)
                #expect(response.streamedText == "Echo: via azure")
            }
        }
    }
}

extension SimulatorBehaviour.Fault: CustomTestStringConvertible {
    public var testDescription: String { "\(self)" }
}
