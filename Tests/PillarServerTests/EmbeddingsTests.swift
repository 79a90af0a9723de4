import Foundation
import PillarCore
import PillarStore
import Testing

@testable import PillarGateway
@testable import PillarServer

/// `/v1/embeddings` through the gateway: Azure's URL shape and key, failover to another deployment, and
/// clear errors for bad input.
@Suite struct EmbeddingsTests {
    func embed(_ pillar: PillarClient, model: String, input: String = #"["alpha beta", "gamma"]"#) async throws -> TestResponse {
        try await pillar.request(.POST, "/v1/embeddings", body: #"{"model": "\#(model)", "input": \#(input)}"#)
    }

    @Test func azureEmbeddingsUseTheirURLShapeAndApiKeyHeader() async throws {
        try await withSimulator(fastSimulator, apiKey: "azure-secret") { port in
            var azure = PillarConfiguration.Deployment(
                name: "azure-embed", baseURL: "http://127.0.0.1:\(port)", model: "ada-prod")
            azure.api = .azureOpenAI
            azure.apiVersion = "2024-10-21"
            azure.apiKeyEnv = "AZURE_KEY"
            try await withPillar(deployments: [azure], environment: ["AZURE_KEY": "azure-secret"]) { pillar in
                let response = try await embed(pillar, model: "azure-embed")
                #expect(response.status == 200, "\(response.body)")
                let data = try #require(response.json["data"] as? [[String: Any]])
                #expect(data.map { $0["index"] as? Int } == [0, 1])
                #expect((data.first?["embedding"] as? [Double])?.count == 384)
                #expect(response.json["model"] as? String == "azure-embed")
            }
        }
    }

    @Test func aFailingDeploymentIsRetriedOnAnother() async throws {
        let failing = SimulatorBehaviour(
            timeToFirstToken: .zero, tokensPerSecond: 5000, fault: .status(503, retryAfterSeconds: nil))
        try await withSimulator(failing) { badPort in
            try await withSimulator { goodPort in
                try await withPillar(deployments: [
                    simulatorDeployment("first", port: badPort, models: ["embed"], priority: 0),
                    simulatorDeployment("second", port: goodPort, models: ["embed"], priority: 1),
                ]) { pillar in
                    let response = try await embed(pillar, model: "embed")
                    #expect(response.status == 200, "\(response.body)")
                    let turns = try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory))
                        .listTurns(tenant: "default", limit: 10)
                    #expect(turns.count == 1)
                    #expect(turns.first?.deployment == "second")
                    #expect(turns.first?.attempts == 2)
                    #expect((turns.first?.promptTokens ?? 0) > 0)
                }
            }
        }
    }

    @Test(arguments: [
        (#"[]"#, "invalid_request"),
        (#"[""]"#, "invalid_request"),
        (#"[[1, 2, 3]]"#, "invalid_field"),
        (#"42"#, "invalid_field"),
    ])
    func badInputIsRefusedClearly(input: String, code: String) async throws {
        try await withSimulator { port in
            try await withPillar(deployments: [simulatorDeployment("embed", port: port)]) { pillar in
                let response = try await embed(pillar, model: "embed", input: input)
                #expect(response.status == 400, "\(response.body)")
                #expect(response.errorCode == code, "\(response.body)")
                #expect(try await embed(pillar, model: "nope").status == 404)
            }
        }
    }

    @Test func topicEmbeddingsAreDeterministicUnitVectorsNearTheirTopic() {
        let vectors = TopicVectors(dimensions: 64)
        let text = "one two three four five six seven eight"
        let first = vectors.vector(for: text)
        #expect(first == vectors.vector(for: text.uppercased()))
        #expect(abs(first.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        // A word sits closer to its topic's other words than a text of unrelated words does, on average.
        let same = vectors.vector(for: "seven")
        #expect(zip(first, same).reduce(0) { $0 + $1.0 * $1.1 } > 0)
    }
}
