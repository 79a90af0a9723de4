import Foundation
import PillarCore
import PillarStore
import Testing

@testable import PillarGateway
@testable import PillarServer

/// Rate limits and token budgets, reserved before the call and settled after it, against the simulator.
@Suite struct AdmissionTests {
    /// 20 words: every request uses its whole max_tokens, so its spend equals its reservation.
    static let longReply = SimulatorBehaviour(
        timeToFirstToken: .milliseconds(20), tokensPerSecond: 5000,
        reply: (1...20).map { "w\($0)" }.joined(separator: " "))

    func spent(_ pillar: PillarClient) async throws -> (turns: Int, tokens: Int) {
        let turns = try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory))
            .listTurns(tenant: "default", limit: 1000).filter { $0.status == .succeeded }
        return (turns.count, turns.reduce(0) { $0 + $1.promptTokens + $1.completionTokens })
    }

    /// (e) 50 concurrent requests against a daily budget: spend never passes it.
    @Test func concurrentRequestsNeverSpendPastABudget() async throws {
        try await withSimulator(Self.longReply) { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)],
                configure: {
                    $0.limits.tenants["default"] = UsageLimits(tokensPerDay: 400)
                }
            ) { pillar in
                // A prompt of "hi" counts 8 tokens and max_tokens is 10: each request reserves, and spends, 18.
                let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            try await pillar.chat("hi", stream: index.isMultiple(of: 2), extra: #", "max_tokens": 10"#)
                        }
                    }
                    return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
                }
                let admitted = responses.filter { $0.status == 200 }
                let refused = responses.filter { $0.status == 429 }
                #expect(admitted.count + refused.count == 50)
                let (turns, tokens) = try await spent(pillar)
                #expect(tokens <= 400)
                #expect(turns == admitted.count)
                #expect(admitted.count == 22, "400 / 18 = 22 requests fit")
                #expect(refused.allSatisfy { $0.errorCode == "budget_exceeded" && $0.headers["retry-after"] != nil })
                #expect(refused.first?.headers["x-ratelimit-limit-tokens-day"] == "400")
            }
        }
    }

    /// A budget in dollars, at the model's configured price: concurrent requests never spend past it, and the
    /// reservation is the most a request may cost (prompt plus max_tokens).
    @Test func concurrentRequestsNeverSpendPastADollarBudget() async throws {
        try await withSimulator(Self.longReply) { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)],
                configure: {
                    $0.prices["sim"] = ModelPrice(inputPerMillion: 1_000, outputPerMillion: 1_000)
                    $0.limits.tenants["default"] = UsageLimits(costPerDayUSD: 0.2)
                }
            ) { pillar in
                // Each request: 8 prompt + 10 completion tokens at $0.001 each = $0.018; $0.2 covers 11.
                let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                    for index in 0..<30 {
                        group.addTask {
                            try await pillar.chat("hi", stream: index.isMultiple(of: 2), extra: #", "max_tokens": 10"#)
                        }
                    }
                    return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
                }
                let admitted = responses.filter { $0.status == 200 }
                #expect(admitted.count == 11, "\(responses.map(\.status))")
                let refused = responses.filter { $0.status == 429 }
                #expect(refused.count == 19)
                #expect(
                    refused.allSatisfy {
                        $0.errorCode == "budget_exceeded" && $0.headers["x-ratelimit-remaining-cost-usd-day"] != nil
                    })
                let turns = try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory))
                    .listTurns(tenant: "default", limit: 100)
                #expect(turns.reduce(0) { $0 + ($1.costUSD ?? 0) } <= 0.2 + 1e-9)
                let tooLarge = try await pillar.chat("hi", extra: #", "max_tokens": 500"#)
                #expect(tooLarge.errorCode == "request_too_large", "\(tooLarge.body)")
            }
        }
    }

    /// A request bigger than a whole limit can never pass: 400, not a 429 that tells the client to wait.
    @Test func aRequestLargerThanTheWholeLimitIs400() async throws {
        try await withSimulator(Self.longReply) { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)],
                configure: {
                    $0.limits.tenants["default"] = UsageLimits(tokensPerMinute: 100)
                }
            ) { pillar in
                let tooLarge = try await pillar.chat("hi", extra: #", "max_tokens": 500"#)
                #expect(tooLarge.status == 400)
                #expect(tooLarge.errorCode == "request_too_large", "\(tooLarge.body)")
                #expect(tooLarge.headers["retry-after"] == nil)
                let fits = try await pillar.chat("hi", extra: #", "max_tokens": 10"#)
                #expect(fits.status == 200)
            }
        }
    }

    @Test func requestsPerMinuteOfAKeyAreCapped() async throws {
        try await withSimulator { port in
            let keyID = "key_rate_limited"
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)],
                configure: {
                    $0.limits.keys[keyID] = UsageLimits(requestsPerMinute: 2)
                }
            ) { pillar in
                let database = try PillarDatabase(dataDirectory: pillar.dataDirectory)
                let secret = "pk-rate-limited-key-0000000000000000"
                try await SQLiteAPIKeyRepository(database: database).insertKey(
                    APIKeyRecord(id: keyID, tenant: "default", name: "limited", role: .user, prefix: "pk-rate", createdAt: 0),
                    hash: APIKeyIssuer.hash(secret))
                #expect(try await pillar.chat("one", key: secret).status == 200)
                #expect(try await pillar.chat("two", key: secret).status == 200)
                let third = try await pillar.chat("three", key: secret)
                #expect(third.status == 429)
                #expect(third.errorCode == "rate_limit_exceeded")
                #expect(third.headers["x-ratelimit-limit-requests"] == "2")
                #expect(third.headers["x-ratelimit-remaining-requests"] == "0")
                #expect(Int(third.headers["retry-after"] ?? "") ?? 0 >= 1)
                // The tenant's other keys are not limited by this key's cap.
                #expect(try await pillar.chat("admin", key: adminKey).status == 200)
            }
        }
    }

    @Test func budgetsSurviveARestart() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withSimulator(Self.longReply) { port in
            let configure: (inout PillarConfiguration) -> Void = { $0.limits.tenants["default"] = UsageLimits(tokensPerDay: 50) }
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)], configure: configure, dataDirectory: directory
            ) { pillar in
                for _ in 0..<2 {
                    let status = try await pillar.chat("hi", extra: #", "max_tokens": 10"#).status
                    #expect(status == 200)
                }
            }
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)], configure: configure, dataDirectory: directory
            ) { pillar in
                let third = try await pillar.chat("hi", extra: #", "max_tokens": 10"#)
                #expect(third.status == 429, "36 spent before the restart, and 18 more would pass 50")
                #expect(third.headers["x-ratelimit-remaining-tokens-day"] == "14")
            }
        }
    }

    @Test func withoutMaxTokensTheCompletionIsCappedAtWhatTheBudgetHasLeft() async throws {
        try await withSimulator(Self.longReply) { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)],
                configure: {
                    $0.limits.tenants["default"] = UsageLimits(tokensPerDay: 20)
                }
            ) { pillar in
                let response = try await pillar.chat("hi")
                #expect(response.status == 200)
                let usage = response.json["usage"] as? [String: Int]
                #expect(usage?["completion_tokens"] == 12, "20 - 8 prompt tokens")
                #expect(try await spent(pillar).tokens == 20)
                #expect(try await pillar.chat("hi").status == 429)
            }
        }
    }
}
