import NIOHTTP1
import Crypto
import _CryptoExtras
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import NIOConcurrencyHelpers
import PillarCore
import Testing
@testable import PillarServer

/// A real OpenID provider on a loopback port: discovery document and JWKS, whose keys a test can rotate.
final class TestIdentityProvider: Sendable {
    let signers = JWTKeyCollection()
    private let published = NIOLockedValueBox<[[String: String]]>([])

    func addES256(kid: String, publish: Bool = true) async throws {
        let key = try ES256PrivateKey(backing: P256.Signing.PrivateKey())
        await signers.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        let parameters = try #require(key.publicKey.parameters)
        if publish {
            published.withLockedValue { $0.append(["kty": "EC", "crv": "P-256", "alg": "ES256", "kid": kid, "x": parameters.x, "y": parameters.y]) }
        }
    }

    func addRS256(kid: String) async throws {
        let key = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        await signers.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        let primitives = try key.publicKey.getKeyPrimitives()
        published.withLockedValue {
            $0.append(["kty": "RSA", "alg": "RS256", "kid": kid, "n": primitives.modulus.base64URL, "e": primitives.publicExponent.base64URL])
        }
    }

    func token(kid: String, claims: [String: JSONValue]) async throws -> String {
        try await signers.sign(OIDCClaims(values: claims), kid: JWKIdentifier(string: kid))
    }

    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        let published = self.published
        router.get("jwks") { _, _ in
            try JSONResponse.make(["keys": published.withLockedValue { $0 }])
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await waitUntilServing(port: client.port!, path: "/jwks")
            return try await body("http://127.0.0.1:\(client.port!)")
        }
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

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

    @Test func mapsClaimsToTenantAndRoles() async throws {
        try await withProvider { provider, pillar in
            let user = try await provider.token(kid: "ec-1", claims: claims())
            #expect(try await pillar.request(.GET, "/admin/keys", key: user).status == 403)
            let admin = try await provider.token(kid: "ec-1", claims: claims(["roles": .array([.string("Pillar.Admin")])]))
            let keys = try await pillar.request(.GET, "/admin/keys", key: admin)
            #expect(keys.status == 200)
            // The admin acts in the mapped tenant, which has no keys: the default tenant's are not visible.
            #expect((keys.json["data"] as? [Any])?.isEmpty == true)
            let noRole = try await provider.token(kid: "ec-1", claims: claims(["roles": .array([.string("Other")])]))
            #expect(try await pillar.request(.GET, "/v1/models", key: noRole).status == 403)
            let unknownTenant = try await provider.token(kid: "ec-1", claims: claims(["tid": .string("fabrikam")]))
            #expect(try await pillar.request(.GET, "/v1/models", key: unknownTenant).status == 403)
        }
    }

    static let refusals: [(String, [String: JSONValue])] = [
        ("expired", ["exp": .number(Date().timeIntervalSince1970 - 120)]),
        ("not yet valid", ["nbf": .number(Date().timeIntervalSince1970 + 600)]),
        ("wrong audience", ["aud": .string("api://someone-else")]),
        ("wrong issuer", ["iss": .string("https://evil.example.test/v2.0")]),
        ("no expiry", ["exp": .null]),
    ]

    @Test(arguments: refusals.map(\.0))
    func refusesTokensWithBadClaims(name: String) async throws {
        let changes = Self.refusals.first { $0.0 == name }!.1
        try await withProvider { provider, pillar in
            var tokenClaims = claims(changes)
            if changes["exp"] == .null { tokenClaims["exp"] = nil }
            let token = try await provider.token(kid: "ec-1", claims: tokenClaims)
            let response = try await pillar.request(.GET, "/v1/models", key: token)
            #expect(response.status == 401)
            #expect(response.headers["www-authenticate"] != nil)
        }
    }

    @Test func refusesUnknownKeysAlgNoneAndTamperedPayloads() async throws {
        try await withProvider { provider, pillar in
            try await provider.addES256(kid: "never-published", publish: false)
            let unknownKey = try await provider.token(kid: "never-published", claims: claims())
            #expect(try await pillar.request(.GET, "/v1/models", key: unknownKey).status == 401)

            let valid = try await provider.token(kid: "ec-1", claims: claims())
            let parts = valid.split(separator: ".").map(String.init)
            let noneHeader = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64URL
            #expect(try await pillar.request(.GET, "/v1/models", key: "\(noneHeader).\(parts[1]).").status == 401)
            #expect(try await pillar.request(.GET, "/v1/models", key: "\(noneHeader).\(parts[1]).\(parts[2])").status == 401)

            var tampered = try JSONSerialization.jsonObject(with: Base64URL.decode(parts[1])!) as! [String: Any]
            tampered["roles"] = ["Pillar.Admin"]
            let tamperedPayload = try JSONSerialization.data(withJSONObject: tampered).base64URL
            let response = try await pillar.request(.GET, "/admin/keys", key: "\(parts[0]).\(tamperedPayload).\(parts[2])")
            #expect(response.status == 401)
        }
    }

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
                try await withPillar(deployments: [simulatorDeployment("sim", port: simulatorPort)], configure: { configuration in
                    var oidc = PillarConfiguration.OIDC(issuer: OIDCTests.issuer, audiences: ["api://pillar"])
                    oidc.jwksURL = baseURL + "/jwks"
                    oidc.tenantClaim = "tid"
                    oidc.roleMap = ["Pillar.Admin": "admin"]
                    configuration.oidc = [oidc]
                }) { pillar in
                    let now = Date().timeIntervalSince1970
                    let claims: [String: JSONValue] = [
                        "iss": .string(OIDCTests.issuer), "aud": .string("api://pillar"), "sub": .string("bob"),
                        "tid": .string("fabrikam"), "exp": .number(now + 600), "roles": .array([.string("Pillar.Admin")]),
                    ]
                    let token = try await provider.token(kid: "ec-1", claims: claims)
                    #expect(try await pillar.chat("hello", key: token).status == 200)
                    let turns = try await pillar.request(.GET, "/admin/turns", key: token)
                    let data = turns.json["data"] as? [[String: Any]]
                    #expect(data?.count == 1)
                    #expect(data?.first?["subject"] as? String == "bob")
                    #expect(data?.first?["tenant"] as? String == "fabrikam")
                    // The default tenant's admin does not see fabrikam's turns.
                    let otherTenant = try await pillar.request(.GET, "/admin/turns")
                    #expect((otherTenant.json["data"] as? [Any])?.isEmpty == true)
                }
            }
        }
    }
}
