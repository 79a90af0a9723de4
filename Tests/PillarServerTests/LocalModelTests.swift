import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import PillarCore
import Testing

@testable import PillarGateway
@testable import PillarServer

/// Runs the real llama-server and SmolLM2 that `make setup` builds and extracts; nothing here is faked.
@Suite(.serialized) struct LocalModelTests {
    @Test func servesTheEmbeddedModelWithNoDeploymentConfigured() async throws {
        try await withPillar(configure: {
            $0.localModel.mode = .auto
            $0.localModel.parallel = 1
        }) { pillar in
            try await waitUntilReady(pillar)
            let models = try await pillar.request(.GET, "/v1/models")
            #expect(models.body.contains("smollm2-135m-instruct"))
            let response = try await pillar.chat(
                "What is the capital of France? Answer in one word.", model: "smollm2-135m-instruct",
                stream: true, extra: #", "max_tokens": 16, "temperature": 0"#)
            #expect(response.status == 200)
            #expect(response.events.last == "[DONE]")
            #expect(response.streamedText.contains("Paris"), "\(response.streamedText)")
        }
    }

    @Test func restartsTheModelServerWhenItDies() async throws {
        let cache = PillarCache.directory()
        let configuration = LocalModelSupervisor.Configuration(
            serverPath: "\(cache)/llama.cpp-0.3.16/bin/llama-server", modelPath: "\(cache)/models/SmolLM2-135M-Instruct.gguf",
            modelName: "smollm2", port: try findFreeLoopbackPort(), contextSize: 1024, parallel: 1)
        let supervisor = LocalModelSupervisor(configuration: configuration, httpClient: .shared, logger: Logger(label: "test"))
        let running = Task { try await supervisor.run() }
        defer { running.cancel() }
        let firstPID = try await waitForReady(supervisor)
        kill(firstPID, SIGKILL)
        var secondPID = firstPID
        for _ in 0..<300 where secondPID == firstPID {
            try await Task.sleep(for: .milliseconds(100))
            if await supervisor.state == .ready, let pid = await supervisor.processIdentifier { secondPID = pid }
        }
        #expect(secondPID != firstPID)
        #expect(await supervisor.restarts == 1)
        #expect(await supervisor.isHealthy())
        running.cancel()
        _ = try? await running.value
        #expect(!isProcessAlive(secondPID), "the model server is stopped with its supervisor")
        #expect(await !supervisor.isHealthy())
    }

    func waitForReady(_ supervisor: LocalModelSupervisor) async throws -> Int32 {
        for _ in 0..<300 {
            if await supervisor.state == .ready, let pid = await supervisor.processIdentifier { return pid }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SupervisorTimeout()
    }

    func waitUntilReady(_ pillar: PillarClient) async throws {
        for _ in 0..<300 {
            if try await pillar.request(.GET, "/readyz", key: nil).status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SupervisorTimeout()
    }

    struct SupervisorTimeout: Error {}
}
