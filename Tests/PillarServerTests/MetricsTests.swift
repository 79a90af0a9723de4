import NIOHTTP1
import PillarGateway
import Testing

@testable import PillarServer

@Suite struct MetricsTests {
    @Test func adminsScrapeTokenAndLatencyMetricsByTenantAndDeployment() async throws {
        try await withSimulator { port in
            try await withPillar(deployments: [simulatorDeployment("metered", port: port)]) { pillar in
                #expect(try await pillar.chat("count these tokens", model: "metered", stream: true).status == 200)
                let metrics = try await pillar.request(.GET, "/metrics")
                #expect(metrics.status == 200)
                #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
                #expect(
                    metrics.body.contains(#"pillar_gen_ai_tokens_total{tenant="default",deployment="metered",type="output"}"#))
                #expect(metrics.body.contains(#"pillar_gen_ai_time_to_first_token_seconds_bucket{deployment="metered""#))
                #expect(metrics.body.contains("http_server_request_duration"))
                #expect(metrics.body.contains(#"pillar_gateway_breaker_state{deployment="metered"} 0"#))
                #expect(metrics.body.contains(#"pillar_gateway_in_flight{deployment="metered"} 0"#))
            }
        }
    }

    @Test func aSeparateMetricsPortServesWithoutCredentials() async throws {
        let port = try findFreePort()
        try await withPillar(configure: { $0.server.metricsPort = port }) { pillar in
            let main = try await pillar.request(.GET, "/metrics")
            #expect(main.status == 404, "with a metrics port, the main port has no /metrics")
            let scraper = PillarClient(port: port, dataDirectory: pillar.dataDirectory)
            // The metrics server is a service of its own and may start a moment after the main one.
            var scraped: TestResponse?
            for _ in 0..<50 where scraped?.status != 200 {
                scraped = try? await scraper.request(.GET, "/metrics", key: nil)
                if scraped?.status != 200 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(scraped?.status == 200)
        }
    }
}

func findFreePort() throws -> Int { try findFreeLoopbackPort() }
