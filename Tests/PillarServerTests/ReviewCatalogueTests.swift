import Foundation
import PillarCore
import PillarGateway
import Testing

@testable import PillarServer

/// Every review check, both ways: a hardened workload passes all of them, and for each check one change to
/// that workload (its configuration, or what the database or gateway says) makes that check warn or fail.
@Suite struct ReviewCatalogueTests {
    static let now = 1_800_000_000.0

    static func hardened() -> ReviewInputs {
        var configuration = PillarConfiguration()
        configuration.server.host = "0.0.0.0"
        configuration.server.tlsTerminatedBy = "Azure Front Door"
        configuration.server.logFormat = .json
        configuration.server.dataDirectory = "/var/lib/pillar"
        var east = PillarConfiguration.Deployment(name: "east", baseURL: "https://east.example.com/v1", model: "gpt-4o-mini")
        east.models = ["gpt", "embed"]
        var west = PillarConfiguration.Deployment(name: "west", baseURL: "https://west.example.com/v1", model: "gpt-4o-mini")
        west.models = ["gpt", "embed"]
        configuration.deployments = [east, west]
        configuration.retrieval.embeddingModel = "embed"
        var oidc = PillarConfiguration.OIDC(issuer: "https://login.example.com/tenant/v2.0", audiences: ["api://pillar"])
        oidc.defaultTenant = "default"
        configuration.oidc = [oidc]
        configuration.signIn = PillarConfiguration.SignIn(
            issuer: oidc.issuer, clientId: "pillar-web", redirectURL: "https://pillar.example.com/auth/callback")
        configuration.gateway.maxInFlightPerTenant = 32
        configuration.prices = [
            "gpt": ModelPrice(inputPerMillion: 0.15, outputPerMillion: 0.6),
            "embed": ModelPrice(inputPerMillion: 0.02, outputPerMillion: 0),
        ]
        configuration.limits.tenantDefault = UsageLimits(requestsPerMinute: 600, tokensPerDay: 2_000_000)
        configuration.safety.tenantDefault.pii.beforeModel = true
        configuration.safety.tenantDefault.retentionDays = 30
        configuration.promotion.tenantDefault.requireEval = true
        var hook = PillarConfiguration.Webhook(name: "ops", url: "https://hooks.example.com/pillar")
        hook.secretEnv = "PILLAR_WEBHOOK_SECRET"
        configuration.monitoring.webhooks = [hook]
        configuration.monitoring.decay = [PillarConfiguration.Decay(dataset: "golden")]
        configuration.assurance.review.expectedRequestsPerSecond = 50

        var inputs = ReviewInputs(configuration: configuration, now: now)
        inputs.keys = [
            APIKeyRecord(
                id: "key_admin", tenant: "default", name: "ops", role: .admin, prefix: "pk_1",
                createdAt: now - 86_400, lastUsedAt: now - 3_600),
            APIKeyRecord(
                id: "key_app", tenant: "acme", name: "app", role: .user, prefix: "pk_2",
                createdAt: now - 10 * 86_400, lastUsedAt: now - 60),
        ]
        inputs.tenants = ["acme", "default", ProbeTenant.id]
        inputs.audit = AuditVerification(events: 42, firstBrokenSeq: nil, problem: nil)
        inputs.latestBackup = BackupRecord(
            id: "bak_1", at: now - 3_600, directory: "/backups/1", auditHeadSeq: 42,
            auditHeadHash: String(repeating: "a", count: 64), bytes: 1 << 20)
        inputs.latestProbe = IsolationProbeRun(
            id: "probe_1", startedAt: now - 70, finishedAt: now - 60, status: .passed,
            attempts: 9, tenantsProbed: 2, leaks: [], problems: [])
        inputs.loadTests = [
            LoadTestRecord(
                id: "load_1", at: now - 86_400, tool: "pillar-load", target: "https://pillar/v1",
                requestsPerSecond: 80, p95Ms: 900, errorRate: 0, durationSeconds: 60, concurrency: 32)
        ]
        inputs.baselines = [EvalBaseline(dataset: "golden", flow: "rag", runID: "run_1", setBy: "key_admin", setAt: now - 86_400)]
        inputs.monitorStates = ["groundedness-low|default|rag|production": "ok"]
        inputs.deployments = [
            .init(name: "east", models: ["gpt", "embed"], breaker: "closed", maxInFlight: 64, local: false),
            .init(name: "west", models: ["gpt", "embed"], breaker: "closed", maxInFlight: 64, local: false),
        ]
        inputs.traffic = .init(requests: 1_000, failed: 3, withoutCost: 0, latencyP95Ms: 2_400, timeToFirstTokenP95Ms: 600)
        inputs.masterKeySource = "/run/secrets/pillar-master-key"
        inputs.unauthenticatedRoutes = ["/healthz", "/readyz"]
        inputs.otlpEndpoint = "http://collector:4318"
        inputs.documentCount = 120
        return inputs
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var id: String
        /// Applied before the check is asked to pass (for checks that are not applicable to the baseline).
        var passing: @Sendable (inout ReviewInputs) -> Void = { _ in }
        var failing: @Sendable (inout ReviewInputs) -> Void
        var testDescription: String { id }
    }

    static let cases: [Case] = [
        Case(id: "RE-01") { $0.deployments.removeLast() },
        Case(id: "RE-02") { $0.configuration.gateway.breakerFailureRate = 1 },
        Case(id: "RE-03") { $0.configuration.timeouts.totalSeconds = 5_000 },
        Case(id: "RE-04") { $0.configuration.gateway.maxAttempts = 10 },
        Case(id: "RE-05") { inputs in
            inputs.configuration.gateway.maxInFlightPerTenant = nil
            inputs.deployments = inputs.deployments.map {
                var d = $0
                d.maxInFlight = nil
                return d
            }
        },
        Case(id: "RE-06") { $0.latestBackup = nil },
        Case(id: "RE-07") { $0.configuration.server.drainSeconds = 1 },
        Case(id: "RE-08") {
            $0.deployments = $0.deployments.map {
                var d = $0
                d.breaker = "open"
                return d
            }
        },
        Case(id: "RE-09") { $0.traffic.failed = 400 },
        Case(id: "RE-10") { $0.configuration.retrieval.persistIntervalSeconds = 3_600 },
        Case(id: "RE-11") {
            $0.deployments.append(.init(name: "local", models: ["smollm2"], breaker: "closed", maxInFlight: 16, local: true))
        },
        Case(id: "SE-01") { $0.unauthenticatedRoutes.append("/v1/chat/completions") },
        Case(id: "SE-02") { $0.configuration.signIn = nil },
        Case(id: "SE-03") { $0.keys[0].createdAt = now - 200 * 86_400 },
        Case(id: "SE-04") { $0.keys[1].lastUsedAt = now - 60 * 86_400 },
        Case(id: "SE-05") { $0.masterKeySource = "/var/lib/pillar/master.key" },
        Case(id: "SE-06") { $0.configuration.server.tlsTerminatedBy = nil },
        Case(id: "SE-07") { $0.configuration.server.metricsPort = 9_090 },
        Case(id: "SE-08") { $0.configuration.safety.tenantDefault.pii.beforeStorage = false },
        Case(id: "SE-09") { $0.configuration.safety.tenants["acme"] = PillarConfiguration.SafetyPolicy() },
        Case(id: "SE-10") { $0.configuration.safety.tenantDefault.content.output = false },
        Case(id: "SE-11") { $0.configuration.safety.tenantDefault.shields.injection = .off },
        Case(id: "SE-12") {
            $0.audit = AuditVerification(events: 42, firstBrokenSeq: 7, problem: "record 7 was changed after it was written")
        },
        Case(id: "SE-13") { inputs in
            inputs.latestProbe?.status = .leaked
            inputs.latestProbe?.leaks = [.init(path: "search", tenant: "acme", groups: [], canary: "open")]
        },
        Case(id: "SE-14") { $0.injectedFault = "leak-acl" },
        Case(id: "SE-15") { $0.configuration.flows.allowedHosts = ["*.example.com"] },
        Case(id: "SE-16") { $0.configuration.server.maxBodyBytes = 100 * 1024 * 1024 },
        Case(id: "SE-17") { inputs in
            for index in 0..<4 {
                inputs.keys.append(
                    APIKeyRecord(
                        id: "key_extra\(index)", tenant: "default", name: "extra", role: .admin, prefix: "pk",
                        createdAt: now - 3_600, lastUsedAt: now - 60))
            }
        },
        Case(id: "SE-18") { $0.configuration.monitoring.webhooks[0].secretEnv = nil },
        Case(id: "SE-19") { $0.configuration.safety.tenantDefault.retentionDays = nil },
        Case(id: "SE-20", passing: { $0.configuration.safety.remoteClassifier = PillarConfiguration.RemoteClassifier() }) {
            $0.configuration.safety.remoteClassifier?.failOpen = true
        },
        Case(id: "CO-01") { $0.configuration.prices["gpt"] = nil },
        Case(id: "CO-02") { $0.configuration.limits.tenantDefault = UsageLimits(requestsPerMinute: 600) },
        Case(id: "CO-03") { $0.configuration.limits.tenantDefault = UsageLimits(tokensPerDay: 2_000_000) },
        Case(id: "CO-04") { $0.configuration.limits.defaultCompletionTokens = 16_000 },
        Case(id: "CO-05") { $0.configuration.evaluation.budgetDefault = nil },
        Case(id: "CO-06") { $0.traffic.withoutCost = 900 },
        Case(id: "CO-07") { $0.configuration.monitoring.sampling.rate = 0.5 },
        Case(id: "OE-01") { $0.baselines[0].setAt = now - 90 * 86_400 },
        Case(id: "OE-02") {
            $0.configuration.promotion.tenants["acme"] = PillarConfiguration.PromotionPolicy(requireEval: false)
        },
        Case(id: "OE-03") { $0.configuration.monitoring.enabled = false },
        Case(id: "OE-04") { $0.configuration.monitoring.monitors = [] },
        Case(id: "OE-05") { $0.configuration.monitoring.webhooks = [] },
        Case(id: "OE-06") { $0.monitorStates["groundedness-low|default|rag|production"] = "alert" },
        Case(id: "OE-07") { $0.configuration.monitoring.drift.enabled = false },
        Case(id: "OE-08") { $0.configuration.monitoring.decay = [] },
        Case(id: "OE-09") { $0.otlpEndpoint = nil },
        Case(id: "OE-10") { $0.configuration.server.logFormat = .text },
        Case(id: "OE-11") { $0.documentCount = 0 },
        Case(id: "PE-01") { $0.loadTests[0].requestsPerSecond = 20 },
        Case(id: "PE-02") { $0.traffic.latencyP95Ms = 30_000 },
        Case(id: "PE-03") { $0.configuration.gateway.connectionsPerHost = 8 },
        Case(id: "PE-04") { $0.configuration.retrieval.vectorWeight = 0 },
        Case(id: "PE-05") { $0.configuration.gateway.queueTimeoutMs = 60_000 },
        Case(id: "PE-06") { $0.configuration.flows.historyTokens = 10_000 },
    ]

    static func result(_ id: String, _ inputs: ReviewInputs) -> ReviewCheckResult {
        ReviewCatalogue.all.first { $0.id == id }!.run(inputs)
    }

    @Test func theCatalogueHasAtLeastFortyChecksWithUniqueIDsAndEveryOneIsTestedBothWays() {
        let ids = ReviewCatalogue.all.map(\.id)
        #expect(ids.count >= 40)
        #expect(Set(ids).count == ids.count)
        #expect(Set(Self.cases.map(\.id)) == Set(ids))
        for pillar in ReviewPillar.allCases { #expect(ReviewCatalogue.all.contains { $0.pillar == pillar }) }
        for check in ReviewCatalogue.all {
            #expect(!check.principle.isEmpty && !check.fix.isEmpty && !check.title.isEmpty)
        }
    }

    @Test func theDocsListEveryCheckAsTheCatalogueHasIt() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/assurance.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for check in ReviewCatalogue.all {
            let row =
                "| \(check.id) | \(check.pillar.rawValue) | \(check.title) | \(check.principle) | \(check.waivable ? "yes" : "no") |"
            #expect(text.contains(row), "docs/assurance.md lacks or misstates \(check.id)")
        }
    }

    @Test func aHardenedWorkloadPassesEveryCheckThatApplies() {
        let report = ReviewCatalogue.run(Self.hardened(), version: "test")
        let notPassing = report.checks.filter { $0.status != .pass && $0.status != .notApplicable }
        #expect(notPassing.isEmpty, "\(notPassing.map { "\($0.id): \($0.status) \($0.evidence)" })")
        #expect(report.checks.filter { $0.status == .notApplicable }.map(\.id) == ["SE-20"])
        #expect(!report.fails(at: .warn))
    }

    @Test(arguments: cases)
    func eachCheckPassesOnAGoodWorkloadAndNotOnABadOne(_ test: Case) {
        var good = Self.hardened()
        test.passing(&good)
        let passed = Self.result(test.id, good)
        #expect(passed.status == .pass, "\(test.id) on the good workload: \(passed.status) \(passed.evidence)")
        var bad = good
        test.failing(&bad)
        let failed = Self.result(test.id, bad)
        #expect(
            failed.status == .warn || failed.status == .fail,
            "\(test.id) on the bad workload: \(failed.status) \(failed.evidence)")
        #expect(!failed.evidence.isEmpty)
    }

    @Test func theEmbeddedDefaultsWarnAndFailHonestly() {
        var inputs = ReviewInputs(configuration: PillarConfiguration(), now: Self.now)
        inputs.tenants = ["default"]
        inputs.masterKeySource = "./pillar-data/master.key"
        inputs.audit = AuditVerification(events: 1, firstBrokenSeq: nil, problem: nil)
        inputs.deployments = [
            .init(name: "local", models: ["smollm2-135m-instruct"], breaker: "closed", maxInFlight: 16, local: true),
            .init(name: "local-embeddings", models: ["all-minilm-l6-v2"], breaker: "closed", maxInFlight: 8, local: true),
        ]
        let report = ReviewCatalogue.run(inputs, version: "test")
        let status = Dictionary(uniqueKeysWithValues: report.checks.map { ($0.id, $0.status) })
        #expect(status["SE-05"] == .fail)  // the generated master key sits in the data directory
        #expect(status["RE-06"] == .fail)  // never backed up
        #expect(status["RE-01"] == .fail)  // one local deployment
        #expect(status["SE-06"] == .warn)  // plain HTTP, but on loopback only
        #expect(status["SE-02"] == .warn)
        #expect(status["CO-01"] == .notApplicable)
        #expect(report.fails(at: .fail) && report.fails(at: .warn))
    }

    @Test func anExceptionAcceptsAFindingWithItsReasonButNeverALeak() throws {
        var inputs = Self.hardened()
        inputs.deployments.removeLast()
        inputs.configuration.assurance.review.exceptions = ["RE-01": "one region by contract; failover is manual"]
        let accepted = Self.result("RE-01", inputs)
        #expect(accepted.status == .pass)
        #expect(accepted.exception == "one region by contract; failover is manual")
        #expect(accepted.evidence.contains { $0.name == "assurance.review.exceptions.RE-01" && $0.value.contains("was fail") })

        inputs.configuration.assurance.review.exceptions = ["SE-13": "trust me"]
        #expect(throws: ConfigurationError.self) { try inputs.configuration.validate() }
        inputs.configuration.assurance.review.exceptions = ["XX-99": "no such check"]
        #expect(throws: ConfigurationError.self) { try inputs.configuration.validate() }
    }

    @Test func theReportRendersAsJSONMarkdownAndATableWithEveryCheck() throws {
        var inputs = Self.hardened()
        inputs.configuration.signIn = nil
        let report = ReviewCatalogue.run(inputs, version: "test")
        #expect(report.summary["warn"] == 1)
        let json = try report.json()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(ReviewReport.self, from: Data(json.utf8)) == report)
        #expect(json.contains("\"generated_at\""))
        let markdown = report.markdown()
        let table = report.table()
        for check in report.checks {
            #expect(markdown.contains(check.id) && table.contains(check.id))
        }
        #expect(table.contains("fix: add an issuer under `oidc`"))
        #expect(markdown.contains("| SE-02 People sign in with an identity provider | **warn** |"))
    }
}
