import Foundation
import PillarCore
import PillarStore
import Testing

@testable import PillarGateway
@testable import PillarServer

/// `GET /v1/admin/budgets` and the admission control's standing it reads: the same counts that admit requests,
/// with what is settled, what requests in flight hold, and what is left.
@Suite struct BudgetStandingTests {
    @Test func theRouteShowsWhatTheTenantHasUsedAndHasLeft() async throws {
        try await withSimulator(AdmissionTests.longReply) { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)],
                configure: {
                    $0.limits.tenants["default"] = UsageLimits(requestsPerMinute: 10, tokensPerDay: 400)
                    $0.evaluation.budgets["default"] = UsageLimits(tokensPerMonth: 5_000)
                }
            ) { pillar in
                for _ in 0..<2 {
                    #expect(try await pillar.chat("hi", extra: #", "max_tokens": 10"#).status == 200)
                }
                let spent = try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory))
                    .listTurns(tenant: "default", limit: 10).reduce(0) { $0 + $1.promptTokens + $1.completionTokens }

                let answer = try await pillar.request(.GET, "/v1/admin/budgets")
                #expect(answer.status == 200)
                let standings = try #require(answer.json["data"] as? [[String: Any]])
                let tenant = try #require(standings.first { $0["scope"] as? String == "tenant" })
                let lines = try #require(tenant["lines"] as? [[String: Any]])
                func line(_ name: String, in lines: [[String: Any]]) throws -> [String: Any] {
                    try #require(lines.first { $0["name"] as? String == name }, "\(name) in \(lines)")
                }
                let day = try line("tokens_per_day", in: lines)
                #expect(day["limit"] as? Double == 400)
                #expect(day["used"] as? Double == Double(spent))
                #expect(day["reserved"] as? Double == 0)
                #expect(day["remaining"] as? Double == Double(400 - spent))
                let midnight = (floor(Date().timeIntervalSince1970 / 86_400) + 1) * 86_400
                #expect(day["resets_at"] as? Double == midnight)
                let minute = try line("requests_per_minute", in: lines)
                #expect(minute["used"] as? Double == 2)
                #expect(minute["remaining"] as? Double == 8)
                #expect(minute["unit"] as? String == "requests")
                #expect(lines.count == 2, "only the limits that are set")

                let evaluation = try #require(standings.first { $0["scope"] as? String == "evaluation" })
                let month = try line("tokens_per_month", in: try #require(evaluation["lines"] as? [[String: Any]]))
                #expect(month["used"] as? Double == 0, "the users' turns are not the evaluation runs'")
                #expect(month["remaining"] as? Double == 5_000)
                #expect(answer.json["default_completion_tokens"] as? Int == 1024)

                let user = try await pillar.newKey()
                #expect(try await pillar.request(.GET, "/v1/admin/budgets", key: user).status == 403)
            }
        }
    }

    @Test func aTenantWithoutLimitsHasNoLines() async throws {
        try await withPillar(configure: { $0.evaluation.budgetDefault = nil }) { pillar in
            let answer = try await pillar.request(.GET, "/v1/admin/budgets")
            #expect(answer.status == 200)
            #expect((answer.json["data"] as? [Any])?.isEmpty == true)
        }
    }

    /// A key's own limits, a reservation held while its call runs and settled to what it used, and dollars at the
    /// model's price, against a real ledger.
    @Test func aKeysReservationIsHeldThenSettled() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = SQLiteTurnRepository(database: try PillarDatabase(dataDirectory: directory))
        let admission = AdmissionControl(
            policy: .init(keys: ["key_a": UsageLimits(tokensPerMinute: 1_000, costPerDayUSD: 1)]), ledger: ledger)
        let price = ModelPrice(inputPerMillion: 1_000, outputPerMillion: 2_000)
        let reservation = try #require(
            try await admission.reserve(tenant: "t", key: "key_a", promptTokens: 100, maxTokens: 50, price: price))

        var standing = try await admission.standing(tenant: "t", keys: ["key_a", "key_b"])
        #expect(standing.map(\.scope) == ["key"], "no tenant limits and key_b has none of its own")
        #expect(standing.first?.key == "key_a")
        var cost = try #require(standing.first?.lines.first { $0.name == "cost_per_day_usd" })
        #expect(abs(cost.reserved - 0.2) < 1e-9, "100 × 0.001 + 50 × 0.002")
        #expect(cost.used == 0)
        #expect(abs(cost.remaining - 0.8) < 1e-9)
        var minute = try #require(standing.first?.lines.first { $0.name == "tokens_per_minute" })
        #expect(minute.used == 150)
        #expect(minute.resetsAt > Date().timeIntervalSince1970 + 50)

        await admission.settle(reservation, usedTokens: 120, usedCost: 0.14)
        standing = try await admission.standing(tenant: "t", keys: ["key_a"])
        cost = try #require(standing.first?.lines.first { $0.name == "cost_per_day_usd" })
        #expect(cost.reserved == 0)
        #expect(abs(cost.used - 0.14) < 1e-9)
        minute = try #require(standing.first?.lines.first { $0.name == "tokens_per_minute" })
        #expect(minute.used == 120)
    }
}
