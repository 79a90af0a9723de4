import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PillarCore
import PillarStore
import ServiceLifecycle
import Testing

@testable import PillarGateway
@testable import PillarServer

/// The gateway under faults, against the project's simulator on real ports (issue 6's chaos suite).
@Suite struct ChaosTests {
    func turns(_ pillar: PillarClient) async throws -> [TurnRecord] {
        try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory)).listTurns(
            tenant: "default", limit: 1000)
    }

    func gatewayState(_ pillar: PillarClient) async throws -> [String: [String: Any]] {
        let state = try await pillar.request(.GET, "/v1/admin/gateway")
        let deployments = state.json["deployments"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: deployments.map { ($0["name"] as! String, $0) })
    }

    /// (a) The provisioned deployment throttles 30% of calls with Retry-After: every request succeeds, each
    /// throttled one spills over alone, and the provisioned deployment keeps serving the rest.
    @Test func throttlingOnAShareOfCallsSpillsOnlyThoseCalls() async throws {
        let throttling = SimulatorBehaviour(
            timeToFirstToken: .zero, tokensPerSecond: 5000,
            fault: .status(429, retryAfterSeconds: 2), faultRate: 0.3)
        try await withSimulator(throttling) { ptuPort in
            try await withSimulator { paygoPort in
                try await withPillar(deployments: [
                    simulatorDeployment("ptu", port: ptuPort, models: ["gpt"], priority: 0),
                    simulatorDeployment("paygo", port: paygoPort, models: ["gpt"], priority: 1),
                ]) { pillar in
                    for index in 0..<40 {
                        let response = try await pillar.chat("request \(index)", model: "gpt", stream: index.isMultiple(of: 2))
                        #expect(response.status == 200, "request \(index): \(response.body)")
                    }
                    let served = try await turns(pillar)
                    #expect(served.count == 40)
                    #expect(served.allSatisfy { $0.status == .succeeded })
                    let byPTU = served.filter { $0.deployment == "ptu" }.count
                    #expect(byPTU == 28, "the 12 throttled calls of 40 spill over, the other 28 stay provisioned")
                    #expect(served.filter { $0.attempts == 2 }.count == 12)
                    #expect(try await gatewayState(pillar)["ptu"]?["breaker"] as? String == "closed")
                }
            }
        }
    }

    /// (b) A dead deployment: its breaker opens after the configured failures, traffic moves, and when the
    /// deployment returns a half-open probe closes the breaker and traffic comes back.
    @Test func aDeadDeploymentIsCutOffAndRecoversThroughHalfOpen() async throws {
        let held = try HeldLoopbackPort()
        let deadPort = held.port
        try await withSimulator(SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 5000, reply: "from paygo")) {
            paygoPort in
            try await withPillar(
                deployments: [
                    simulatorDeployment("ptu", port: deadPort, models: ["gpt"], priority: 0),
                    simulatorDeployment("paygo", port: paygoPort, models: ["gpt"], priority: 1),
                ],
                configure: { configuration in
                    configuration.timeouts.connectSeconds = 0.2
                    configuration.gateway.breakerMinimumCalls = 3
                    // Long enough that the breaker is still open when a loaded machine gets to look at it.
                    configuration.gateway.breakerOpenSeconds = 5
                }
            ) { pillar in
                for _ in 0..<3 {
                    #expect(try await pillar.chat("hi", model: "gpt").status == 200)
                }
                #expect(try await gatewayState(pillar)["ptu"]?["breaker"] as? String == "open")
                let whileOpen = try await pillar.chat("hi", model: "gpt")
                #expect(whileOpen.body.contains("from paygo"))
                #expect(try await turns(pillar).first?.attempts == 1, "an open breaker is not even tried")

                // The deployment comes back on the same port.
                held.release()
                let revived = buildSimulatorApplication(
                    host: "127.0.0.1", port: deadPort,
                    behaviour: SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 5000, reply: "from ptu"),
                    logger: Logger(label: "revived"))
                // Not `test(.live)`, which would pick a port of its own: the deployment must return where it was.
                let group = ServiceGroup(configuration: .init(services: [revived], logger: Logger(label: "revived")))
                let running = Task { try await group.run() }
                defer { running.cancel() }
                try await waitUntilServing(port: deadPort, path: "/health")
                var answer = ""
                for _ in 0..<200 where !answer.contains("from ptu") {
                    try await Task.sleep(for: .milliseconds(100))
                    answer = try await pillar.chat("hi", model: "gpt").body
                }
                #expect(answer.contains("from ptu"))
                #expect(try await gatewayState(pillar)["ptu"]?["breaker"] as? String == "closed")
                await group.triggerGracefulShutdown()
                _ = try? await running.value
            }
        }
    }

    /// (c) A stream cut after 40 tokens: the client sees the 40 tokens, then an error event, never [DONE].
    @Test func aStreamCutAfterFortyTokensEndsWithAnErrorEvent() async throws {
        let words = (0..<60).map { "w\($0)" }.joined(separator: " ")
        let cutting = SimulatorBehaviour(
            timeToFirstToken: .zero, tokensPerSecond: 5000, reply: words, fault: .cutAfter(tokens: 40))
        try await withSimulator(cutting) { port in
            try await withPillar(deployments: [simulatorDeployment("sim", port: port)]) { pillar in
                let response = try await pillar.chat("go", stream: true)
                #expect(response.status == 200)
                #expect(response.events.last != "[DONE]")
                #expect(response.events.last?.contains("upstream_truncated") == true)
                #expect(response.streamedText.split(separator: " ").count <= 40)
                #expect(try await turns(pillar).first?.status == .failed)
                #expect(try await gatewayState(pillar)["sim"]?["in_flight"] as? Int == 0)
            }
        }
    }

    /// A pool of two simulators that continues interrupted streams: "primary" cuts every stream after 40 of the
    /// reply's 60 words, "secondary" serves the whole reply.
    func withContinuingPool(
        configure: @escaping @Sendable (inout PillarConfiguration) -> Void = { _ in },
        _ body: @Sendable (PillarClient, _ reply: String) async throws -> Void
    ) async throws {
        let words = (0..<60).map { "w\($0)" }.joined(separator: " ")
        let cutting = SimulatorBehaviour(
            timeToFirstToken: .zero, tokensPerSecond: 5000, reply: words, fault: .cutAfter(tokens: 40))
        try await withSimulator(cutting) { cutPort in
            try await withSimulator(SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 5000, reply: words)) {
                goodPort in
                try await withPillar(
                    deployments: [
                        simulatorDeployment("primary", port: cutPort, models: ["gpt"], priority: 0),
                        simulatorDeployment("secondary", port: goodPort, models: ["gpt"], priority: 1),
                    ],
                    configure: { configuration in
                        configuration.gateway.pools["gpt"] = .init(continueInterruptedStreams: true)
                        configure(&configuration)
                    }
                ) { pillar in
                    try await body(pillar, words)
                }
            }
        }
    }

    /// (c, continued) Where the pool continues streams, the cut answer goes on at the other deployment from the
    /// 40th token: the client reads the whole answer, told of the switch, and the cut attempt is metered apart.
    @Test func aCutStreamGoesOnAtAnotherDeploymentWhereThePoolContinues() async throws {
        try await withContinuingPool(configure: { $0.prices["gpt"] = ModelPrice(inputPerMillion: 1, outputPerMillion: 2) }) {
            pillar, words in
            let response = try await pillar.chat(
                "go", model: "gpt", stream: true,
                extra: #", "stream_options": {"include_usage": true}"#)
            #expect(response.status == 200)
            #expect(response.streamedText == words, "the continuation starts where the cut attempt stopped")
            #expect(response.events.last == "[DONE]")
            let markers = response.events.compactMap { event -> [String: Any]? in
                let object = (try? JSONSerialization.jsonObject(with: Data(event.utf8))) as? [String: Any]
                return (object?["pillar"] as? [String: Any])?["continuation"] as? [String: Any]
            }
            let marker = try #require(markers.first)
            #expect(markers.count == 1)
            #expect(marker["interrupted_deployment"] as? String == "primary")
            #expect(marker["continued_on"] as? String == "secondary")
            #expect(marker["error"] as? String == "upstream_truncated")
            let interruptedUsage = try #require(marker["interrupted_usage"] as? [String: Any])
            #expect(interruptedUsage["completion_tokens"] as? Int ?? 0 > 0)
            let ids = Set(
                response.events.compactMap { event in
                    ((try? JSONSerialization.jsonObject(with: Data(event.utf8))) as? [String: Any])?["id"] as? String
                })
            #expect(ids.count == 1, "one answer, one id: \(ids)")

            let rows = try await turns(pillar)
            let answer = try #require(rows.first { $0.attemptOf == nil })
            let cut = try #require(rows.first { $0.attemptOf != nil })
            #expect(rows.count == 2)
            #expect(answer.status == .succeeded)
            #expect(answer.deployment == "secondary")
            #expect(cut.attemptOf == answer.id)
            #expect(cut.deployment == "primary")
            #expect(cut.status == .failed)
            #expect(cut.errorCode == "upstream_truncated")
            #expect(cut.completionTokens == interruptedUsage["completion_tokens"] as? Int)
            // The cut upstream sent no usage: Pillar counted what it relayed before the cut with the tokenizer (up to
            // 40 words: the last ones can die with the connection).
            var relayed = ""
            for event in response.events {
                guard let object = (try? JSONSerialization.jsonObject(with: Data(event.utf8))) as? [String: Any] else { continue }
                if object["pillar"] != nil { break }
                relayed += (object["choices"] as? [[String: Any]] ?? []).compactMap {
                    ($0["delta"] as? [String: Any])?["content"] as? String
                }.joined()
            }
            #expect(!relayed.isEmpty && relayed.split(separator: " ").count <= 40)
            #expect(cut.completionTokens == TokenCounter(directory: PillarCache.tokenizers()).tokens(in: relayed, model: "gpt"))
            #expect((cut.costUSD ?? 0) > 0)

            let usage = try await pillar.request(.GET, "/v1/admin/usage?group_by=deployment")
            let byDeployment = Dictionary(
                uniqueKeysWithValues: (usage.json["data"] as? [[String: Any]] ?? []).map {
                    ($0["group"] as? String ?? "", $0)
                })
            #expect(byDeployment["primary"]?["requests"] as? Int == 0, "the cut attempt is not a request of its own")
            #expect(byDeployment["primary"]?["interrupted_attempts"] as? Int == 1)
            #expect(byDeployment["primary"]?["completion_tokens"] as? Int == cut.completionTokens)
            #expect(byDeployment["secondary"]?["requests"] as? Int == 1)
            #expect(try await gatewayState(pillar)["primary"]?["in_flight"] as? Int == 0)
            #expect(try await gatewayState(pillar)["secondary"]?["in_flight"] as? Int == 0)
        }
    }

    /// A continuation spends the prompt again: when the budget cannot cover that, the stream ends with its
    /// error as it would without continuation, and the budget is not overspent.
    @Test func aContinuationTheBudgetCannotCoverIsNotMade() async throws {
        // Room for one call with max_tokens 100, not for the prompt sent a second time with the answer.
        try await withContinuingPool(configure: { $0.limits.tenants["default"] = UsageLimits(tokensPerDay: 150) }) { pillar, _ in
            let response = try await pillar.chat("go", model: "gpt", stream: true, extra: #", "max_tokens": 100"#)
            #expect(response.status == 200)
            #expect(response.events.last?.contains("upstream_truncated") == true)
            let rows = try await turns(pillar)
            #expect(rows.count == 1)
            #expect(rows.first?.status == .failed)
            let spent = rows.reduce(0) { $0 + $1.promptTokens + $1.completionTokens }
            #expect(spent <= 150)
        }
    }

    /// (d) A stall: the first-token timeout fires and another deployment answers.
    @Test func aStallTimesOutAndAnotherDeploymentAnswers() async throws {
        let stalling = SimulatorBehaviour(timeToFirstToken: .seconds(4), tokensPerSecond: 5000)
        try await withSimulator(stalling) { stallPort in
            try await withSimulator(SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 5000, reply: "prompt answer")) {
                goodPort in
                try await withPillar(
                    deployments: [
                        simulatorDeployment("stalled", port: stallPort, models: ["gpt"], priority: 0),
                        simulatorDeployment("healthy", port: goodPort, models: ["gpt"], priority: 1),
                    ], configure: { $0.timeouts.firstTokenSeconds = 1 }
                ) { pillar in
                    let response = try await pillar.chat("hi", model: "gpt", stream: true)
                    #expect(response.status == 200)
                    #expect(response.streamedText == "prompt answer")
                    let turn = try #require(try await turns(pillar).first)
                    #expect(turn.deployment == "healthy")
                    #expect(turn.attempts == 2)
                }
            }
        }
    }

    /// (f) Malformed chunks and resets: clear errors, no crash, nothing left in flight.
    @Test(arguments: [SimulatorBehaviour.Fault.reset, .malformedAfter(tokens: 0)])
    func malformedStreamsAndResetsGiveClearErrors(fault: SimulatorBehaviour.Fault) async throws {
        let broken = SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 5000, fault: fault)
        try await withSimulator(broken) { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)],
                configure: { $0.gateway.retryTotalSeconds = 1 }
            ) { pillar in
                // A malformed event can only happen in a stream; a reset happens to both kinds of call.
                for stream in fault == .reset ? [false, true] : [true] {
                    let response = try await pillar.chat("hi", stream: stream)
                    #expect([502, 503].contains(response.status), "\(response.status) \(response.body)")
                    #expect(
                        ["upstream_malformed", "upstream_truncated", "upstream_error", "service_unavailable"].contains(
                            response.errorCode ?? ""),
                        "\(response.body)")
                }
                #expect(try await gatewayState(pillar)["sim"]?["in_flight"] as? Int == 0)
                #expect(try await turns(pillar).allSatisfy { $0.status == .failed })
            }
        }
    }

    @Test func aTenantOverItsConcurrencyCapIsToldToRetry() async throws {
        let slow = SimulatorBehaviour(timeToFirstToken: .milliseconds(300), tokensPerSecond: 5000)
        try await withSimulator(slow) { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)],
                configure: { $0.gateway.maxInFlightPerTenant = 2 }
            ) { pillar in
                let statuses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                    for _ in 0..<6 { group.addTask { try await pillar.chat("hi") } }
                    return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
                }
                let refused = statuses.filter { $0.status == 429 }
                #expect(statuses.filter { $0.status == 200 }.count >= 2)
                #expect(!refused.isEmpty)
                #expect(refused.allSatisfy { $0.errorCode == "tenant_concurrency_limit" && $0.headers["retry-after"] == "1" })
            }
        }
    }
}
