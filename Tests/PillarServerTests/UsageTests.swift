import Foundation
import PillarCore
import PillarStore
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

    /// Two groupings at once, by the hour, with latency and time-to-first-token percentiles for the console's
    /// charts.
    @Test func usageGroupsByTwoDimensionsWithLatencyPercentiles() async throws {
        try await withSimulator { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port, models: ["gpt-4o", "gpt-4o-mini"])]
            ) { pillar in
                #expect(try await pillar.chat("one", model: "gpt-4o").status == 200)
                #expect(try await pillar.chat("two", model: "gpt-4o", stream: true).status == 200)
                #expect(try await pillar.chat("three", model: "gpt-4o-mini").status == 200)
                let turns = try await SQLiteTurnRepository(database: PillarDatabase(dataDirectory: pillar.dataDirectory))
                    .listTurns(tenant: "default", limit: 10)

                let answer = try await pillar.request(.GET, "/v1/admin/usage?group_by=hour,model")
                #expect(answer.status == 200)
                let rows = try #require(answer.json["data"] as? [[String: Any]])
                #expect(rows.count == 2, "one hour, two models: \(rows)")
                let row = try #require(rows.first { ($0["dimensions"] as? [String: String])?["model"] == "gpt-4o" })
                let hour = try #require((row["dimensions"] as? [String: String])?["hour"])
                #expect(hour.hasSuffix(":00Z") && hour.count == "2026-12-07T14:00Z".count)
                #expect(row["group"] as? String == "\(hour)|gpt-4o")
                #expect(row["requests"] as? Int == 2)
                // Nearest rank over two: the median is the smaller, the 95th the larger.
                let latencies = turns.filter { $0.model == "gpt-4o" }.map(\.latencyMs).sorted()
                let latency = try #require(row["latency"] as? [String: Double])
                #expect(latency["p50_ms"] == latencies[0])
                #expect(latency["p95_ms"] == latencies[1])
                let streamed = try #require(turns.first { $0.streamed }?.timeToFirstTokenMs)
                #expect((row["time_to_first_token"] as? [String: Double])?["p95_ms"] == streamed)
                let mini = try #require(rows.first { ($0["dimensions"] as? [String: String])?["model"] == "gpt-4o-mini" })
                #expect(mini["time_to_first_token"] is NSNull || mini["time_to_first_token"] == nil, "never streamed")
            }
        }
    }

    @Test(arguments: [
        "group_by=color", "from=yesterday", "from=2026-02-02&to=2026-01-01", "group_by=model,model",
        "group_by=day,model,key", "group_by=day,", "group_by=",
    ])
    func badQueriesAreRefused(query: String) async throws {
        try await withPillar { pillar in
            let response = try await pillar.request(.GET, "/v1/admin/usage?\(query)")
            #expect(response.status == 400)
            #expect(response.errorCode == "invalid_request")
        }
    }
}
