import Foundation
import NIOHTTP1
import Testing

@testable import PillarServer

@Suite struct ConfigurationTests {
    func write(_ yaml: String) throws -> String {
        let path = temporaryDirectory() + "/pillar.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Sections decoded by their own types (limits, prices…) are held to the same rule as the rest: a key that
    /// is not read is an error, and every such key is named at once.
    @Test func unreadKeysAnywhereAreReportedTogether() throws {
        let path = try write(
            """
            limits:
              tenantDefault: {tokensPerDya: 1000, requestsPerMinute: 5}
              tenants:
                acme: {costPerDayUSD: 1, colour: red}
            prices:
              gpt-4o-mini: {inputPerMillion: 1, outputPerMillion: 2, cachedPerMillion: 1}
            server:
              metricsPort: null
            """)
        #expect {
            try PillarConfiguration.load(file: path, environment: [:])
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.key
                == "limits.tenantDefault.tokensPerDya, limits.tenants.acme.colour, prices.gpt-4o-mini.cachedPerMillion"
        }
        let fixed = try write("limits:\n  tenantDefault: {tokensPerDay: 1000}\n")
        #expect(try PillarConfiguration.load(file: fixed, environment: [:]).limits.tenantDefault?.tokensPerDay == 1000)
    }

    @Test func readsAPartialFileAndKeepsDefaults() throws {
        let path = try write(
            """
            server:
              port: 9090
            deployments:
              - name: gpt-4o
                api: azure
                baseURL: https://contoso.openai.azure.com
                model: gpt-4o-prod
                apiVersion: 2024-10-21
                apiKeyEnv: AZURE_OPENAI_KEY
                priority: 0
            """)
        let configuration = try PillarConfiguration.load(file: path, environment: ["PILLAR_HOST": "0.0.0.0"])
        try configuration.validate()
        #expect(configuration.server.port == 9090)
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.maxBodyBytes == 4 * 1024 * 1024)
        #expect(configuration.deployments.first?.api == "azure")
        #expect(!configuration.runsLocalModel)
    }

    @Test(arguments: [
        ("server:\n  prot: 1\n", "server.prot"),
        ("server:\n  port: eighty\n", "server.port"),
        ("deployments:\n  - name: x\n    baseURL: ftp://x\n    model: m\n", "deployments[0].baseURL"),
        ("deployments:\n  - name: x\n    api: azure\n    baseURL: https://x\n    model: m\n", "deployments[0].apiVersion"),
        ("deployments:\n  - name: x\n    baseURL: https://x\n", "deployments[0].model"),
        ("localModel:\n  mode: sometimes\n", "localModel.mode"),
        ("oidc:\n  - issuer: https://login.example\n    audiences: []\n", "oidc[0].audiences"),
        ("monitoring:\n  sampling: {rate: 2}\n", "monitoring.sampling.rate"),
        ("monitoring:\n  sampling: {rate: 0.1, judges: [vibes]}\n", "monitoring.sampling.judges"),
        ("monitoring:\n  monitors: [{name: m, signal: happiness, alert: 1}]\n", "monitoring.monitors.m.signal"),
        (
            "monitoring:\n  monitors: [{name: m, signal: groundedness, alert: 0.5, noData: maybe}]\n",
            "monitoring.monitors.m.noData"
        ),
        ("monitoring:\n  monitors: [{name: m, signal: groundedness, warning: 0.4, alert: 0.5}]\n", "monitoring.monitors.m"),
        ("monitoring:\n  monitors: [{name: d, signal: query_drift_p_value, alert: 0.001}]\n", "monitoring.monitors.d.alert"),
        ("monitoring:\n  webhooks: [{name: w, url: 'ftp://x'}]\n", "monitoring.webhooks.w.url"),
        ("monitoring:\n  webhooks: [{name: w, url: 'https://x', events: [everything]}]\n", "monitoring.webhooks.w.events"),
        ("monitoring:\n  canary: {steps: [50, 10]}\n", "monitoring.canary"),
        ("monitoring:\n  decay: [{dataset: golden, gate: 'groundedness >> 3'}]\n", "monitoring.decay.golden.gate"),
        ("monitoring:\n  drift: {permutations: 5}\n", "monitoring.drift.permutations"),
    ])
    func errorsNameTheKey(yaml: String, key: String) throws {
        let path = try write(yaml)
        do {
            try PillarConfiguration.load(file: path, environment: [:]).validate()
            Issue.record("expected an error naming \(key)")
        } catch let error as ConfigurationError {
            #expect(error.key == key, "\(error)")
        }
    }

    @Test func environmentOverridesAreValidated() {
        #expect(throws: ConfigurationError.self) { try PillarConfiguration.load(file: nil, environment: ["PILLAR_PORT": "x"]) }
    }

    @Test func aWebhookSecretThatIsNotSetIsAStartUpError() async throws {
        var configuration = PillarConfiguration()
        var webhook = PillarConfiguration.Webhook(name: "oncall", url: "https://hooks.example.com/x")
        webhook.secretEnv = "NOT_SET_ANYWHERE"
        configuration.monitoring.webhooks = [webhook]
        #expect(throws: ConfigurationError.self) {
            _ = try MonitoringSetup.endpoints(configuration.monitoring.webhooks, environment: [:])
        }
        let endpoints = try MonitoringSetup.endpoints(
            configuration.monitoring.webhooks,
            environment: ["NOT_SET_ANYWHERE": "s3cret"])
        #expect(endpoints.first?.secret == Array("s3cret".utf8))
    }

    @Test func aMissingKeyEnvironmentVariableIsAStartUpError() async throws {
        var deployment = simulatorDeployment("sim", port: 1)
        deployment.apiKeyEnv = "NOT_SET_ANYWHERE"
        await #expect(throws: ConfigurationError.self) {
            try await withPillar(deployments: [deployment]) { _ in }
        }
    }
}
