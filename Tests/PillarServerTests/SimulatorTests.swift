import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

@testable import PillarServer

/// `pillar simulate` spoken to directly, with faults chosen per request by `x-sim-*` headers.
@Suite struct SimulatorTests {
    let body = #"{"model": "m", "messages": [{"role": "user", "content": "hi"}]}"#
    let streamBody = #"{"model": "m", "stream": true, "messages": [{"role": "user", "content": "one two three four"}]}"#

    @Test func injectsAStatusWithRetryAfter() async throws {
        try await withSimulator { port in
            let simulator = PillarClient(port: port, dataDirectory: "")
            let response = try await simulator.request(
                .POST, "/v1/chat/completions", key: nil,
                headers: [("x-sim-status", "429"), ("x-sim-retry-after", "4")], body: body)
            #expect(response.status == 429)
            #expect(response.headers["retry-after"] == "4")
            // As llama.cpp answers: the status as the error's code, and a type.
            let error = response.json["error"] as? [String: Any]
            #expect(error?["code"] as? Int == 429)
            #expect(error?["type"] as? String == "server_error")
        }
    }

    @Test func cutsAStreamAfterNTokens() async throws {
        try await withSimulator { port in
            let simulator = PillarClient(port: port, dataDirectory: "")
            do {
                let response = try await simulator.request(
                    .POST, "/v1/chat/completions", key: nil, headers: [("x-sim-cut-after", "2")], body: streamBody)
                #expect(!response.body.contains("[DONE]"))
                #expect(!response.streamedText.contains("three"))
            } catch {
                // The connection closing mid-body is the point; a client may see it as an error instead.
            }
        }
    }

    @Test func sendsAMalformedEvent() async throws {
        try await withSimulator { port in
            let simulator = PillarClient(port: port, dataDirectory: "")
            let response = try await simulator.request(
                .POST, "/v1/chat/completions", key: nil, headers: [("x-sim-malformed-after", "1")], body: streamBody)
            #expect(response.body.contains("not json"))
            #expect(!response.body.contains("[DONE]"))
        }
    }

    @Test func resetsTheConnection() async throws {
        try await withSimulator { port in
            let simulator = PillarClient(port: port, dataDirectory: "")
            await #expect(throws: (any Error).self) {
                let response = try await simulator.request(
                    .POST, "/v1/chat/completions", key: nil, headers: [("x-sim-reset", "true")], body: body)
                // A client that does not raise must at least see no usable body.
                if response.body.isEmpty { throw SimulatedReset() }
            }
        }
    }

    @Test func embedsDeterministicallyAsUnitVectors() async throws {
        try await withSimulator { port in
            let simulator = PillarClient(port: port, dataDirectory: "")
            let request = #"{"model": "e", "input": ["alpha", "beta", "alpha"]}"#
            let response = try await simulator.request(.POST, "/v1/embeddings", key: nil, body: request)
            let vectors = try #require((response.json["data"] as? [[String: Any]])?.compactMap { $0["embedding"] as? [Double] })
            #expect(vectors.count == 3)
            #expect(vectors.allSatisfy { $0.count == 384 })
            #expect(abs(vectors[0].reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
            #expect(vectors[0] == vectors[2])
            #expect(vectors[0] != vectors[1])
        }
    }

    @Test func requiresItsKeyWhenGivenOne() async throws {
        try await withSimulator(fastSimulator, apiKey: "sim-key") { port in
            let simulator = PillarClient(port: port, dataDirectory: "")
            let withoutKey = try await simulator.request(.POST, "/v1/chat/completions", key: nil, body: body)
            let withKey = try await simulator.request(.POST, "/v1/chat/completions", key: "sim-key", body: body)
            #expect(withoutKey.status == 401)
            #expect(withKey.status == 200)
        }
    }
}
