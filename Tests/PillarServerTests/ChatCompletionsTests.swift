import AsyncHTTPClient
import Foundation
import NIOCore
import PillarCore
import PillarGateway
import PillarStore
import Testing

@testable import PillarServer

@Suite struct ChatCompletionsTests {
    @Test func answersWholeCompletionsWithUsageAndRecordsTheTurn() async throws {
        try await withSimulator { port in
            try await withPillar(deployments: [simulatorDeployment("sim", port: port)]) { pillar in
                let response = try await pillar.chat("What is Pillar?")
                #expect(response.status == 200)
                let choices = response.json["choices"] as? [[String: Any]]
                let message = choices?.first?["message"] as? [String: Any]
                #expect(message?["content"] as? String == "Echo: What is Pillar?")
                #expect(response.json["model"] as? String == "sim")
                let usage = response.json["usage"] as? [String: Int]
                #expect((usage?["completion_tokens"] ?? 0) == 4)
                #expect(usage?["total_tokens"] == (usage?["prompt_tokens"] ?? 0) + (usage?["completion_tokens"] ?? 0))

                let turns = try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory))
                    .listTurns(tenant: "default", limit: 10)
                #expect(turns.count == 1)
                #expect(turns.first?.status == .succeeded)
                #expect(turns.first?.deployment == "sim")
                #expect(turns.first?.completionTokens == 4)
                #expect(turns.first?.streamed == false)
            }
        }
    }

    @Test func streamsChunksEndingWithDone() async throws {
        try await withSimulator { port in
            try await withPillar(deployments: [simulatorDeployment("sim", port: port)]) { pillar in
                let response = try await pillar.chat("stream me please", stream: true)
                #expect(response.status == 200)
                #expect(response.headers["content-type"] == "text/event-stream")
                #expect(response.events.last == "[DONE]")
                #expect(response.streamedText == "Echo: stream me please")
                // Usage was not asked for, so no usage chunk reaches the client.
                #expect(!response.body.contains("\"usage\""))

                let turns = try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory))
                    .listTurns(tenant: "default", limit: 10)
                #expect(turns.first?.streamed == true)
                #expect(turns.first?.timeToFirstTokenMs != nil)
                #expect(turns.first?.completionTokens == 4)
            }
        }
    }

    @Test func streamsUsageWhenAskedFor() async throws {
        try await withSimulator { port in
            try await withPillar(deployments: [simulatorDeployment("sim", port: port)]) { pillar in
                let response = try await pillar.chat(
                    "count me", stream: true, extra: #", "stream_options": {"include_usage": true}"#)
                let events = response.events
                #expect(events.last == "[DONE]")
                let usageEvent = try #require(events.dropLast().last)
                let usage =
                    (try JSONSerialization.jsonObject(with: Data(usageEvent.utf8)) as? [String: Any])?["usage"] as? [String: Int]
                #expect(usage?["completion_tokens"] == 3)
            }
        }
    }

    @Test func relaysFieldsPillarDoesNotReadAndAppliesMaxTokens() async throws {
        try await withSimulator(
            SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 5000, reply: "one two three four five")
        ) { port in
            try await withPillar(deployments: [simulatorDeployment("sim", port: port)]) { pillar in
                let response = try await pillar.chat(
                    "hi", extra: #", "max_tokens": 2, "seed": 7, "response_format": {"type": "text"}"#)
                #expect(response.status == 200)
                let choices = response.json["choices"] as? [[String: Any]]
                #expect((choices?.first?["message"] as? [String: Any])?["content"] as? String == "one two")
            }
        }
    }

    /// The tenant's flows (the shipped, grounded `rag` first), then the deployments' models.
    @Test func listsTheModelsOfEveryDeployment() async throws {
        try await withSimulator { port in
            try await withPillar(deployments: [
                simulatorDeployment("sim", port: port, models: ["gpt-4o", "gpt-4o-mini"]),
                simulatorDeployment("other", port: port),
            ]) { pillar in
                let response = try await pillar.request(.GET, "/v1/models")
                let ids = (response.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(ids == ["pillar:rag", "gpt-4o", "gpt-4o-mini", "other"])
            }
        }
    }
}

@Suite struct StreamingRelayTests {
    /// The first chunk must reach the client while the upstream is still generating: the turn, written only when
    /// the upstream's stream ends, does not exist yet when the first token arrives.
    @Test func chunksArriveBeforeTheUpstreamFinishes() async throws {
        let slow = SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 1, reply: "first second third")
        try await withSimulator(slow) { port in
            try await withPillar(deployments: [simulatorDeployment("sim", port: port)]) { pillar in
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(pillar.port)/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(adminKey)")
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(
                    ByteBuffer(string: #"{"model": "sim", "stream": true, "messages": [{"role": "user", "content": "go"}]}"#))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                var received = ""
                var turnsWhenFirstTokenArrived: Int?
                for try await buffer in response.body {
                    received += String(buffer: buffer)
                    if turnsWhenFirstTokenArrived == nil, received.contains("first") {
                        let turns = try await pillar.request(.GET, "/v1/admin/turns")
                        turnsWhenFirstTokenArrived = (turns.json["data"] as? [Any])?.count
                    }
                }
                #expect(turnsWhenFirstTokenArrived == 0)
                #expect(received.hasSuffix("data: [DONE]\n\n"))
                let turns = try await pillar.request(.GET, "/v1/admin/turns")
                #expect((turns.json["data"] as? [Any])?.count == 1)
            }
        }
    }
}
