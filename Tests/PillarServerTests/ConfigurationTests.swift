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
    @Test func unreadKeysAnywhereAreReportedTogether() async throws {
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
        await #expect {
            try await PillarConfiguration.load(file: path, environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.key)
                == ["limits.tenantDefault.tokensPerDya", "limits.tenants.acme.colour", "prices.gpt-4o-mini.cachedPerMillion"]
        }
        let fixed = try write("limits:\n  tenantDefault: {tokensPerDay: 1000}\n")
        #expect(try await PillarConfiguration.load(file: fixed, environment: [:]).limits.tenantDefault?.tokensPerDay == 1000)
    }

    @Test func readsAPartialFileAndKeepsDefaults() async throws {
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
        let configuration = try await PillarConfiguration.load(file: path, environment: ["PILLAR_SERVER_HOST": "0.0.0.0"])
        try configuration.validate()
        #expect(configuration.server.port == 9090)
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.maxBodyBytes == 4 * 1024 * 1024)
        #expect(configuration.deployments.first?.api == .azureOpenAI)
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
        ("signIn: {issuer: 'https://idp', clientId: web, redirectURL: 'https://p/auth/callback'}\n", "signIn.issuer"),
        (
            "oidc: [{issuer: 'https://idp', audiences: [a]}]\nsignIn: {issuer: 'https://idp', clientId: web, redirectURL: 'http://pillar.example/auth/callback'}\n",
            "signIn.redirectURL"
        ),
        (
            "oidc: [{issuer: 'https://idp', audiences: [a]}]\nsignIn: {issuer: 'https://idp', clientId: web, redirectURL: 'https://p/callback'}\n",
            "signIn.redirectURL"
        ),
        (
            "oidc: [{issuer: 'https://idp', audiences: [a]}]\nsignIn: {issuer: 'https://idp', clientId: web, redirectURL: 'https://p/auth/callback', scopes: [email]}\n",
            "signIn.scopes"
        ),
        (
            "oidc: [{issuer: 'https://idp', audiences: [a]}]\nsignIn: {issuer: 'https://idp', clientId: web, redirectURL: 'https://p/auth/callback', idleMinutes: 600, sessionHours: 1}\n",
            "signIn.idleMinutes"
        ),
    ])
    func errorsNameTheKey(yaml: String, key: String) async throws {
        let path = try write(yaml)
        do {
            try await PillarConfiguration.load(file: path, environment: [:]).validate()
            Issue.record("expected an error naming \(key)")
        } catch let error as ConfigurationError {
            #expect(error.problems.map(\.key).contains(key), "\(error)")
        }
    }

    @Test func aChoiceThatIsNotOneSaysWhichAre() async throws {
        let path = try write("localModel:\n  mode: sometimes\n")
        await #expect {
            try await PillarConfiguration.load(file: path, environment: [:])
        } throws: { error in
            "\(error)" == "configuration: localModel.mode is invalid: must be auto, on or off, got 'sometimes'"
        }
    }

    /// One start lists every mistake the checks find, each with its key, not only the first.
    @Test func validationReportsEveryProblemAtOnce() async throws {
        let path = try write(
            """
            server: {port: 70000, drainSeconds: 0}
            gateway: {maxAttempts: 0}
            retrieval: {candidates: 0}
            safety:
              tenants:
                acme: {pii: {minimumConfidence: 3}}
            """)
        let configuration = try await PillarConfiguration.load(file: path, environment: [:])
        #expect {
            try configuration.validate()
        } throws: { error in
            (error as? ConfigurationError)?.problems.map(\.key) == [
                "gateway.maxAttempts", "retrieval.candidates", "safety.tenants.acme.pii.minimumConfidence",
                "server.drainSeconds", "server.port",
            ]
        }
    }

    /// The settings the layers can set are the ones the decoders read, leaves only, to any depth.
    @Test func everySettingTheDecodersReadHasAName() {
        let settings = Set(ConfigurationLayers.settings.map { $0.joined(separator: ".") })
        for setting in [
            "server.port", "server.metricsPort", "localModel.mode", "deployments", "oidc", "limits.tenants",
            "evaluation.budgetDefault.tokensPerDay",
            "limits.tenantDefault.tokensPerDay", "safety.tenantDefault.shields.jailbreak", "safety.remoteClassifier.endpoint",
            "retrieval.localEmbedder.modelPath", "monitoring.canary.tickSeconds", "assurance.review.exceptions",
            // A section with a required key is read past it.
            "server.tls.certificateFile", "server.tls.keyFile", "server.tls.redirectPort",
        ] {
            #expect(settings.contains(setting), "\(setting)")
        }
        for section in ["server", "safety.tenantDefault", "retrieval.localEmbedder", "limits.tenantDefault"] {
            #expect(!settings.contains(section), "\(section) is a section, not a setting")
        }
    }

    /// One rule in every layer, arguments over the environment over the secrets directory over the file.
    @Test func argumentsEnvironmentAndSecretFilesSetAnySetting() async throws {
        let path = try write("server:\n  port: 8081\n  host: 127.0.0.2\n")
        let secrets = temporaryDirectory()
        try "9191\n".write(toFile: secrets + "/server-port", atomically: true, encoding: .utf8)
        try "9\n".write(toFile: secrets + "/gateway-breaker-minimum-calls", atomically: true, encoding: .utf8)
        let configuration = try await PillarConfiguration.load(
            file: path,
            arguments: [
                "--retrieval-fusion-k", "30", "--server-port=9393", "--flows-allowed-hosts", "[a.example, 'b.example:8443']",
                "--safety-tenant-default-pii-before-model",
            ],
            environment: [
                "PILLAR_SERVER_PORT": "9292", "PILLAR_GATEWAY_MAX_ATTEMPTS": "2", "PILLAR_LOCAL_MODEL_MODE": "off",
                "PILLAR_LIMITS_TENANTS": "{acme: {tokensPerDay: 5}}",
                // Text is taken as given, never read as YAML: a comment sign, a colon, a leading zero stay.
                "PILLAR_SERVER_TLS_TERMINATED_BY": "#1 proxy: edge", "PILLAR_RETRIEVAL_EMBEDDING_MODEL": "0123",
                "PILLAR_CACHE": "/not/a/setting/and/not/one/of/its/sections",
            ],
            secretsDirectory: secrets)
        try configuration.validate()
        #expect(configuration.server.port == 9393)
        #expect(configuration.server.host == "127.0.0.2")
        #expect(configuration.gateway.maxAttempts == 2)
        #expect(configuration.gateway.breakerMinimumCalls == 9)
        #expect(configuration.retrieval.fusionK == 30)
        #expect(configuration.localModel.mode == .off)
        #expect(configuration.limits.tenants["acme"]?.tokensPerDay == 5)
        // A value with commas, given as one argument, arrives whole; a flag alone is true.
        #expect(configuration.flows.allowedHosts == ["a.example", "b.example:8443"])
        #expect(configuration.safety.tenantDefault.pii.beforeModel)
        #expect(configuration.server.tlsTerminatedBy == "#1 proxy: edge")
        #expect(configuration.retrieval.embeddingModel == "0123")
    }

    /// A variable the configuration names for a secret may be called anything, a section's prefix included.
    @Test func variablesTheConfigurationNamesAreNotTypos() async throws {
        let path = try write(
            "deployments:\n  - {name: gpt, baseURL: 'https://x.example/v1', model: gpt, apiKeyEnv: PILLAR_AZURE_KEY}\n")
        let configuration = try await PillarConfiguration.load(file: path, environment: ["PILLAR_AZURE_KEY": "secret"])
        #expect(configuration.deployments.first?.apiKeyEnv == "PILLAR_AZURE_KEY")
        await #expect(throws: ConfigurationError.self) {
            try await PillarConfiguration.load(file: path, environment: ["PILLAR_AZURE_KEYS": "secret"])
        }
    }

    @Test func aLayerValueIsCheckedAndNamesWhereItCameFrom() async throws {
        await #expect {
            try await PillarConfiguration.load(file: nil, environment: ["PILLAR_SERVER_PORT": "x"])
        } throws: { error in
            "\(error)".contains("server.port") && "\(error)".contains("PILLAR_SERVER_PORT")
        }
    }

    /// A name in a layer that is no setting is a typo, as an unknown key in the file is; the old names say the new.
    @Test func unknownNamesInTheLayersAreErrors() async throws {
        await #expect {
            try await PillarConfiguration.load(
                file: nil, arguments: ["--gateway-max-atempts", "2"],
                environment: ["PILLAR_SERVER_PROT": "1", "PILLAR_HOST": "0.0.0.0", "PILLAR_URL": "http://x"])
        } throws: { error in
            let problems = (error as? ConfigurationError)?.problems ?? []
            return problems.map(\.key) == ["--gateway-max-atempts", "PILLAR_HOST", "PILLAR_SERVER_PROT"]
                && problems[1].problem.contains("PILLAR_SERVER_HOST")
        }
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

    /// Found once the HTTP clients exist: the start fails with the error and shuts them down (it once crashed).
    @Test func aMissingClassifierKeyIsAStartUpErrorNotACrash() async throws {
        await #expect(throws: ConfigurationError.self) {
            try await withPillar(configure: { configuration in
                var remote = PillarConfiguration.RemoteClassifier()
                remote.kind = .openai
                remote.endpoint = "https://moderation.example/v1"
                remote.apiKeyEnv = "NOT_SET_ANYWHERE"
                configuration.safety.remoteClassifier = remote
            }) { _ in }
        }
    }

    @Test func aMissingKeyEnvironmentVariableIsAStartUpError() async throws {
        var deployment = simulatorDeployment("sim", port: 1)
        deployment.apiKeyEnv = "NOT_SET_ANYWHERE"
        await #expect(throws: ConfigurationError.self) {
            try await withPillar(deployments: [deployment]) { _ in }
        }
    }
}
