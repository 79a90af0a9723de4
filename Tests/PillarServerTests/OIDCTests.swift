import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import NIOConcurrencyHelpers
import NIOHTTP1
import PillarCore
import Testing
import _CryptoExtras

@testable import PillarServer

@Suite struct OIDCTests {
    static let issuer = "https://login.example.test/tenant-1/v2.0"

    func claims(_ changes: [String: JSONValue] = [:]) -> [String: JSONValue] {
        let now = Date().timeIntervalSince1970
        var claims: [String: JSONValue] = [
            "iss": .string(Self.issuer), "aud": .string("api://pillar"), "sub": .string("alice"),
            "tid": .string("contoso-tid"), "exp": .number(now + 600), "nbf": .number(now - 10),
            "roles": .array([.string("Pillar.User")]), "groups": .array([.string("g-finance")]),
        ]
        claims.merge(changes) { _, new in new }
        return claims
    }

    func withProvider<T: Sendable>(_ body: @Sendable (TestIdentityProvider, PillarClient) async throws -> T) async throws -> T {
        let provider = TestIdentityProvider()
        try await provider.addES256(kid: "ec-1")
        try await provider.addRS256(kid: "rsa-1")
        return try await provider.run { baseURL in
            try await withPillar(configure: { configuration in
                var oidc = PillarConfiguration.OIDC(issuer: Self.issuer, audiences: ["api://pillar"])
                oidc.jwksURL = baseURL + "/jwks"
                oidc.tenantClaim = "tid"
                oidc.tenantMap = ["contoso-tid": "contoso"]
                oidc.roleMap = ["Pillar.Admin": "admin", "Pillar.User": "user"]
                oidc.defaultRole = nil
                configuration.oidc = [oidc]
            }) { pillar in try await body(provider, pillar) }
        }
    }

    @Test(arguments: ["ec-1", "rsa-1"])
    func acceptsValidTokensSignedWithES256AndRS256(kid: String) async throws {
        try await withProvider { provider, pillar in
            let token = try await provider.token(kid: kid, claims: claims())
            let response = try await pillar.request(.GET, "/v1/models", key: token)
            #expect(response.status == 200, "\(response.body)")
        }
    }

    /// Azure OpenAI clients signed in with Entra ID send the token as a bearer: the Azure routes take it as the
    /// OpenAI-compatible ones do.
    @Test func azureRoutesAcceptEntraBearerTokens() async throws {
        try await withProvider { provider, pillar in
            let token = try await provider.token(kid: "ec-1", claims: claims())
            let models = try await pillar.request(.GET, "/openai/v1/models", key: token)
            #expect(models.status == 200, "\(models.body)")
            let chat = try await pillar.request(
                .POST, "/openai/deployments/no-such-deployment/chat/completions?api-version=2024-10-21",
                key: token, body: #"{"messages": [{"role": "user", "content": "hi"}]}"#)
            #expect(chat.status == 404 && chat.body.contains("model_not_found"), "\(chat.body)")
            #expect(try await pillar.request(.GET, "/openai/v1/models", key: nil).status == 401)
        }
    }

    @Test func mapsClaimsToTenantAndRoles() async throws {
        try await withProvider { provider, pillar in
            let user = try await provider.token(kid: "ec-1", claims: claims())
            #expect(try await pillar.request(.GET, "/v1/admin/keys", key: user).status == 403)
            let admin = try await provider.token(kid: "ec-1", claims: claims(["roles": .array([.string("Pillar.Admin")])]))
            let keys = try await pillar.request(.GET, "/v1/admin/keys", key: admin)
            #expect(keys.status == 200)
            // The admin acts in the mapped tenant, which has no keys: the default tenant's are not visible.
            #expect((keys.json["data"] as? [Any])?.isEmpty == true)
            let noRole = try await provider.token(kid: "ec-1", claims: claims(["roles": .array([.string("Other")])]))
            #expect(try await pillar.request(.GET, "/v1/models", key: noRole).status == 403)
            let unknownTenant = try await provider.token(kid: "ec-1", claims: claims(["tid": .string("fabrikam")]))
            #expect(try await pillar.request(.GET, "/v1/models", key: unknownTenant).status == 403)
        }
    }

    // Forged and invalid tokens: JWTAttackTests.

    @Test func picksUpRotatedKeysOnAnUnknownKeyID() async throws {
        try await withProvider { provider, pillar in
            let first = try await provider.token(kid: "ec-1", claims: claims())
            #expect(try await pillar.request(.GET, "/v1/models", key: first).status == 200)
            try await provider.addES256(kid: "ec-2")
            let rotated = try await provider.token(kid: "ec-2", claims: claims())
            #expect(try await pillar.request(.GET, "/v1/models", key: rotated).status == 200)
        }
    }
}

@Suite struct OIDCTenantTests {
    @Test func aTenantFirstSeenInATokenGetsItsTurnsRecorded() async throws {
        let provider = TestIdentityProvider()
        try await provider.addES256(kid: "ec-1")
        try await withSimulator { simulatorPort in
            try await provider.run { baseURL in
                try await withPillar(
                    deployments: [simulatorDeployment("sim", port: simulatorPort)],
                    configure: { configuration in
                        var oidc = PillarConfiguration.OIDC(issuer: OIDCTests.issuer, audiences: ["api://pillar"])
                        oidc.jwksURL = baseURL + "/jwks"
                        oidc.tenantClaim = "tid"
                        oidc.roleMap = ["Pillar.Admin": "admin"]
                        configuration.oidc = [oidc]
                    }
                ) { pillar in
                    let now = Date().timeIntervalSince1970
                    let claims: [String: JSONValue] = [
                        "iss": .string(OIDCTests.issuer), "aud": .string("api://pillar"), "sub": .string("bob"),
                        "tid": .string("fabrikam"), "exp": .number(now + 600), "roles": .array([.string("Pillar.Admin")]),
                    ]
                    let token = try await provider.token(kid: "ec-1", claims: claims)
                    #expect(try await pillar.chat("hello", key: token).status == 200)
                    let turns = try await pillar.request(.GET, "/v1/admin/turns", key: token)
                    let data = turns.json["data"] as? [[String: Any]]
                    #expect(data?.count == 1)
                    #expect(data?.first?["subject"] as? String == OIDCSubject.named("bob", issuer: OIDCTests.issuer))
                    #expect(data?.first?["tenant"] as? String == "fabrikam")
                    // The default tenant's admin does not see fabrikam's turns.
                    let otherTenant = try await pillar.request(.GET, "/v1/admin/turns")
                    #expect((otherTenant.json["data"] as? [Any])?.isEmpty == true)
                }
            }
        }
    }
}
