import Foundation
import Logging
import NIOHTTP1
import PillarStore
import Synchronization
import Testing

@testable import PillarServer

@Suite struct AuthenticationTests {
    /// The first admin key is shown once: a start that then fails (here a certificate that does not load) must not
    /// have made it, or the next start would show none.
    @Test func aStartThatFailsMakesNoBootstrapKey() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = PillarConfiguration()
        configuration.server.dataDirectory = directory
        configuration.localModel.mode = .off
        configuration.retrieval.localEmbedder.mode = .off
        configuration.server.tls = .init(certificateFile: directory + "/missing.pem", keyFile: directory + "/missing.key")
        let announced = AnnouncementLog()
        await #expect(throws: (any Error).self) {
            _ = try await buildApplication(
                configuration, environment: ["HOME": NSHomeDirectory()], metricsRegistry: TestMetrics.registry,
                logger: Logger(label: "test.pillar"), announce: { announced.add($0) })
        }
        #expect(announced.lines.isEmpty)
        let keys = SQLiteAPIKeyRepository(database: try PillarDatabase(dataDirectory: directory))
        #expect(try await keys.countKeys(tenant: "default") == 0)
    }

    @Test func onlyHealthRoutesAreOpen() async throws {
        try await withSimulator { port in
            try await withPillar(deployments: [simulatorDeployment("sim", port: port)]) { pillar in
                #expect(try await pillar.request(.GET, "/healthz", key: nil).status == 200)
                let ready = try await pillar.request(.GET, "/readyz", key: nil)
                #expect(ready.status == 200)
                #expect(ready.json["database"] as? String == "ok")
                for (method, path) in [
                    ("GET", "/v1/models"), ("POST", "/v1/chat/completions"), ("GET", "/v1/admin/keys"), ("GET", "/metrics"),
                ] {
                    let response = try await pillar.request(
                        .init(rawValue: method), path, key: nil, body: method == "POST" ? "{}" : nil)
                    #expect(response.status == 401, "\(method) \(path)")
                    #expect(response.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                    #expect(response.errorCode == "missing_credentials")
                }
            }
        }
    }

    @Test func readinessFailsWhenNoDeploymentAnswers() async throws {
        try await withPillar(deployments: [simulatorDeployment("gone", port: 1)]) { pillar in
            let ready = try await pillar.request(.GET, "/readyz", key: nil)
            #expect(ready.status == 503)
            #expect(ready.json["models"] as? String == "unavailable")
        }
    }

    @Test func acceptsKeysAsBearerAndAsAzureApiKeyHeader() async throws {
        try await withPillar { pillar in
            #expect(try await pillar.request(.GET, "/v1/models").status == 200)
            #expect(try await pillar.request(.GET, "/v1/models", key: nil, headers: [("api-key", adminKey)]).status == 200)
            let wrong = try await pillar.request(.GET, "/v1/models", key: "pk-not-a-real-key-0000000000000")
            #expect(wrong.status == 401)
            #expect(wrong.errorCode == "invalid_api_key")
            let basic = try await pillar.request(.GET, "/v1/models", key: nil, headers: [("Authorization", "Basic dXNlcjpwYXNz")])
            #expect(basic.status == 401)
        }
    }

    @Test func adminCreatesListsAndRevokesKeysAndUsersCannot() async throws {
        try await withPillar { pillar in
            let created = try await pillar.request(.POST, "/v1/admin/keys", body: #"{"name": "ci", "role": "user"}"#)
            #expect(created.status == 201)
            let secret = try #require(created.json["secret"] as? String)
            let id = try #require((created.json["key"] as? [String: Any])?["id"] as? String)
            #expect(secret.hasPrefix("pk-"))

            #expect(try await pillar.request(.GET, "/v1/models", key: secret).status == 200)
            let forbidden = try await pillar.request(.GET, "/v1/admin/keys", key: secret)
            #expect(forbidden.status == 403)
            #expect(forbidden.errorCode == "permission_denied")
            #expect(try await pillar.request(.GET, "/metrics", key: secret).status == 403)

            let listed = try await pillar.request(.GET, "/v1/admin/keys")
            #expect(!listed.body.contains(secret), "the list never shows a secret")
            #expect(listed.body.contains(id))

            #expect(try await pillar.request(.DELETE, "/v1/admin/keys/\(id)").status == 204)
            let revoked = try await pillar.request(.GET, "/v1/models", key: secret)
            #expect(revoked.status == 401)
            #expect(try await pillar.request(.DELETE, "/v1/admin/keys/key_unknown").status == 404)

            // The key that asks cannot revoke itself, so an admin cannot lock themself out by mistake.
            let keys = try #require(listed.json["data"] as? [[String: Any]])
            let own = try #require(keys.first { $0["name"] as? String == "bootstrap admin" }?["id"] as? String)
            let refused = try await pillar.request(.DELETE, "/v1/admin/keys/\(own)")
            #expect(refused.status == 409 && refused.errorCode == "cannot_revoke_own_key", "\(refused.body)")
            #expect(try await pillar.request(.GET, "/v1/admin/keys").status == 200)
        }
    }

    /// A key revoked by another process (the CLI, another replica) is read from the key table again once its
    /// cache entry expires; with no cache, at once.
    @Test(arguments: [0.0, 0.3])
    func aKeyRevokedElsewhereStopsWithinTheCacheLifetime(seconds: Double) async throws {
        try await withPillar(configure: { $0.server.apiKeyCacheSeconds = seconds }) { pillar in
            let created = try await pillar.request(.POST, "/v1/admin/keys", body: #"{"name": "elsewhere", "role": "user"}"#)
            let secret = try #require(created.json["secret"] as? String)
            let id = try #require((created.json["key"] as? [String: Any])?["id"] as? String)
            #expect(try await pillar.request(.GET, "/v1/models", key: secret).status == 200)
            let keys = SQLiteAPIKeyRepository(database: try PillarDatabase(dataDirectory: pillar.dataDirectory))
            #expect(try await keys.revokeKey(id: id, tenant: nil))
            let started = ContinuousClock.now
            var status = try await pillar.request(.GET, "/v1/models", key: secret).status
            if seconds == 0 { #expect(status == 401, "without a cache the revocation holds at once") }
            while status != 401, ContinuousClock.now - started < .seconds(5) {
                try await Task.sleep(for: .milliseconds(50))
                status = try await pillar.request(.GET, "/v1/models", key: secret).status
            }
            #expect(status == 401, "a revoked key does not outlive its cache entry")
        }
    }

    @Test func theDatabaseHoldsOnlyHashesOfKeys() async throws {
        try await withPillar { pillar in
            let created = try await pillar.request(.POST, "/v1/admin/keys", body: #"{"name": "hashed"}"#)
            let secret = try #require(created.json["secret"] as? String)
            let files = try FileManager.default.contentsOfDirectory(atPath: pillar.dataDirectory)
                .filter { $0.hasPrefix("pillar.sqlite") }
            #expect(!files.isEmpty)
            for file in files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: pillar.dataDirectory).appendingPathComponent(file))
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds a key in plain text")
                #expect(bytes.range(of: Data(adminKey.utf8)) == nil, "\(file) holds the bootstrap key in plain text")
            }
        }
    }
}

@Suite struct PlatformAdminTests {
    @Test func onlyAdminsOfTheDefaultTenantSeeMetricsAndTheGateway() async throws {
        try await withPillar { pillar in
            let database = try PillarDatabase(dataDirectory: pillar.dataDirectory)
            let issuer = APIKeyIssuer(
                keys: SQLiteAPIKeyRepository(database: database), tenants: SQLiteTenantRepository(database: database))
            let otherAdmin = try await issuer.create(tenant: "acme", name: "acme admin", role: .admin).secret
            #expect(try await pillar.request(.GET, "/v1/admin/keys", key: otherAdmin).status == 200)
            #expect(try await pillar.request(.GET, "/metrics", key: otherAdmin).status == 403)
            #expect(try await pillar.request(.GET, "/v1/admin/gateway", key: otherAdmin).status == 403)
            #expect(try await pillar.request(.GET, "/metrics").status == 200)
            #expect(try await pillar.request(.GET, "/v1/admin/gateway").status == 200)
        }
    }
}

/// What a start announced, from the `announce` closure.
final class AnnouncementLog: Sendable {
    private let stored = Mutex<[String]>([])
    func add(_ line: String) { stored.withLock { $0.append(line) } }
    var lines: [String] { stored.withLock { $0 } }
}
