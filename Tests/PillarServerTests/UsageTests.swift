import Foundation
import PillarCore
import Testing

@testable import PillarServer

@Suite struct UsageTests {
    @Test func usageAndCostAreReportedPerModelKeyAndDay() async throws {
        try await withSimulator { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port, models: ["gpt-4o", "gpt-4o-mini"])],
                configure: {
                    $0.prices["gpt-4o"] = ModelPrice(inputPerMillion: 2.5, outputPerMillion: 10)
                }
            ) { pillar in
                #expect(try await pillar.chat("one two", model: "gpt-4o").status == 200)
                #expect(try await pillar.chat("three", model: "gpt-4o", stream: true).status == 200)
                #expect(try await pillar.chat("four", model: "gpt-4o-mini").status == 200)

                let byModel = try await pillar.request(.GET, "/v1/admin/usage?group_by=model")
                let rows = try #require(byModel.json["data"] as? [[String: Any]])
                let priced = try #require(rows.first { $0["group"] as? String == "gpt-4o" })
                let prompt = try #require(priced["prompt_tokens"] as? Int)
                let completion = try #require(priced["completion_tokens"] as? Int)
                #expect(priced["requests"] as? Int == 2)
                #expect(
                    abs((priced["cost_usd"] as? Double ?? -1) - (Double(prompt) * 2.5 + Double(completion) * 10) / 1e6) < 1e-12)
                #expect(rows.first { $0["group"] as? String == "gpt-4o-mini" }?["cost_usd"] as? Double == 0, "no price, no cost")

                let today = AdminController.dayFormat.string(from: Date())
                let byDay = try await pillar.request(.GET, "/v1/admin/usage?group_by=day&from=\(today)&to=\(today)")
                #expect((byDay.json["data"] as? [[String: Any]])?.first?["requests"] as? Int == 3)
                let byKey = try await pillar.request(.GET, "/v1/admin/usage?group_by=key")
                #expect((byKey.json["data"] as? [[String: Any]])?.count == 1)
            }
        }
    }

    @Test(arguments: ["group_by=color", "from=yesterday", "from=2026-02-02&to=2026-01-01"])
    func badQueriesAreRefused(query: String) async throws {
        try await withPillar { pillar in
            let response = try await pillar.request(.GET, "/v1/admin/usage?\(query)")
            #expect(response.status == 400)
            #expect(response.errorCode == "invalid_request")
        }
    }
}
