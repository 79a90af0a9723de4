import Crypto
import Foundation
import PillarCore
import Testing

@testable import PillarServer

/// What a forger has to work with: the issuer's published keys (and, for the attacks that need them, its private
/// keys, standing for a signature made in good faith and then misused), keys of its own served from its own JWKS,
/// and the claims of a token Pillar accepts.
struct Forgery: Sendable {
    let issuer: TestIdentityProvider
    let forger: TestIdentityProvider
    /// Where the forger serves its own JWKS.
    let forgerURL: String
    /// The issuer's URL, its `iss`.
    let issuerURL: String

    /// The claims of a valid token, changed as given; `.null` removes a claim.
    func claims(_ changes: [String: JSONValue] = [:]) -> [String: JSONValue] {
        OIDCTests().claims(["iss": .string(issuerURL)]).merging(changes) { _, new in new }.filter { $0.value != .null }
    }

    /// A token with this header and these claims, signed with `kid`'s private key, of the issuer or else the forger.
    func signed(_ header: [String: JSONValue], _ claims: [String: JSONValue], by kid: String) throws -> String {
        try ForgedJWT.make(header: header, claims: claims) { input in
            try (try? issuer.signature(over: input, kid: kid)) ?? forger.signature(over: input, kid: kid)
        }
    }

    func header(alg: String = "ES256", kid: String? = "ec-1", _ extra: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var header: [String: JSONValue] = ["alg": .string(alg), "typ": .string("JWT")]
        header["kid"] = kid.map(JSONValue.string)
        return header.merging(extra) { _, new in new }
    }

    /// A valid token's parts, to tamper with.
    func validParts() throws -> [String] {
        try signed(header(), claims(), by: "ec-1").split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }
}

/// One forged token and the part of it Pillar must name when refusing it (the error's `param`).
struct JWTAttack: Sendable {
    let name: String
    let refusedFor: String
    let forge: @Sendable (Forgery) async throws -> String

    init(_ name: String, refusedFor: String, _ forge: @escaping @Sendable (Forgery) async throws -> String) {
        self.name = name
        self.refusedFor = refusedFor
        self.forge = forge
    }

    static let now = Date().timeIntervalSince1970

    static let all: [JWTAttack] = [
        // The algorithm: only the asymmetric ones Pillar accepts, and only the one of the key.
        JWTAttack("alg none without a signature", refusedFor: "alg") { f in
            let parts = try f.validParts()
            return try ForgedJWT.segment(f.header(alg: "none")) + "." + parts[1] + "."
        },
        JWTAttack("alg none keeping a real signature", refusedFor: "alg") { f in
            let parts = try f.validParts()
            return try ForgedJWT.segment(f.header(alg: "none")) + "." + parts[1] + "." + parts[2]
        },
        JWTAttack("alg nOnE", refusedFor: "alg") { f in
            try ForgedJWT.make(header: f.header(alg: "nOnE"), claims: f.claims()) { _ in Data() }
        },
        JWTAttack("HS256 keyed with the RSA key's public PEM", refusedFor: "alg") { f in
            let secret = SymmetricKey(data: Data(try f.issuer.publicKeyPEM(kid: "rsa-1").utf8))
            return try ForgedJWT.make(header: f.header(alg: "HS256", kid: "rsa-1"), claims: f.claims()) { input in
                Data(HMAC<SHA256>.authenticationCode(for: input, using: secret))
            }
        },
        JWTAttack("HS256 without a key id", refusedFor: "alg") { f in
            let secret = SymmetricKey(data: Data(try f.issuer.publicKeyPEM(kid: "rsa-1").utf8))
            return try ForgedJWT.make(header: f.header(alg: "HS256", kid: nil), claims: f.claims()) { input in
                Data(HMAC<SHA256>.authenticationCode(for: input, using: secret))
            }
        },
        JWTAttack("ES256 in the header of an RSA key's signature", refusedFor: "alg") { f in
            try f.signed(f.header(alg: "ES256", kid: "rsa-1"), f.claims(), by: "rsa-1")
        },
        JWTAttack("RS256 in the header of an EC key's signature", refusedFor: "alg") { f in
            try f.signed(f.header(alg: "RS256", kid: "ec-1"), f.claims(), by: "ec-1")
        },
        JWTAttack("ES256 on an RSA key whose JWK names no alg", refusedFor: "alg") { f in
            try f.signed(f.header(alg: "ES256", kid: "rsa-bare"), f.claims(), by: "rsa-bare")
        },
        JWTAttack("RS256 on an EC key whose JWK names no alg", refusedFor: "alg") { f in
            try f.signed(f.header(alg: "RS256", kid: "ec-bare"), f.claims(), by: "ec-bare")
        },
        JWTAttack("RS256 by a key whose JWK says RS384", refusedFor: "kid") { f in
            try f.signed(f.header(alg: "RS256", kid: "rsa-384"), f.claims(), by: "rsa-384")
        },
        JWTAttack("a critical header extension", refusedFor: "crit") { f in
            try f.signed(f.header(["crit": .array([.string("exp")])]), f.claims(), by: "ec-1")
        },
        // The key: named, known, and the one that signed.
        JWTAttack("a key id that names no key, signed by the first key", refusedFor: "kid") { f in
            try f.signed(f.header(kid: "no-such-key"), f.claims(), by: "ec-1")
        },
        JWTAttack("no key id while the issuer has several keys", refusedFor: "kid") { f in
            try f.signed(f.header(kid: nil), f.claims(), by: "ec-1")
        },
        JWTAttack("a key id that is not a string", refusedFor: "kid") { f in
            try f.signed(f.header(["kid": .number(1)]), f.claims(), by: "ec-1")
        },
        JWTAttack("the key id of another key of the same type", refusedFor: "signature") { f in
            try f.signed(f.header(kid: "ec-bare"), f.claims(), by: "ec-1")
        },
        JWTAttack("signed by a key the forger made", refusedFor: "kid") { f in
            try f.signed(f.header(kid: "forger-ec"), f.claims(), by: "forger-ec")
        },
        // Keys that travel with the token are never trusted, embedded or remote.
        JWTAttack("the forger's key embedded as jwk", refusedFor: "kid") { f in
            let jwk = try #require(f.forger.publishedJWK(kid: "forger-ec")).mapValues(JSONValue.string)
            return try f.signed(f.header(kid: "forger-ec", ["jwk": .object(jwk)]), f.claims(), by: "forger-ec")
        },
        JWTAttack("the forger's key embedded as jwk under a real key id", refusedFor: "signature") { f in
            let jwk = try #require(f.forger.publishedJWK(kid: "forger-ec")).mapValues(JSONValue.string)
            return try f.signed(f.header(kid: "ec-1", ["jwk": .object(jwk)]), f.claims(), by: "forger-ec")
        },
        JWTAttack("jku naming the forger's JWKS", refusedFor: "kid") { f in
            try f.signed(f.header(kid: "forger-ec", ["jku": .string(f.forgerURL + "/jwks")]), f.claims(), by: "forger-ec")
        },
        JWTAttack("jku naming the forger's JWKS under a real key id", refusedFor: "signature") { f in
            try f.signed(f.header(kid: "ec-1", ["jku": .string(f.forgerURL + "/jwks")]), f.claims(), by: "forger-ec")
        },
        JWTAttack("x5u naming the forger's server", refusedFor: "kid") { f in
            try f.signed(f.header(kid: "forger-ec", ["x5u": .string(f.forgerURL + "/jwks")]), f.claims(), by: "forger-ec")
        },
        // Tampering after signing.
        JWTAttack("a payload changed after signing", refusedFor: "signature") { f in
            let parts = try f.validParts()
            return parts[0] + "." + (try ForgedJWT.segment(f.claims(["roles": .array([.string("Pillar.Admin")])]))) + "."
                + parts[2]
        },
        JWTAttack("a header changed after signing", refusedFor: "signature") { f in
            let parts = try f.validParts()
            return (try ForgedJWT.segment(f.header(["typ": .string("at+jwt")]))) + "." + parts[1] + "." + parts[2]
        },
        JWTAttack("the signature removed", refusedFor: "signature") { f in
            let parts = try f.validParts()
            return parts[0] + "." + parts[1] + "."
        },
        JWTAttack("the signature of another token", refusedFor: "signature") { f in
            let parts = try f.validParts()
            let other = try f.signed(f.header(), f.claims(["sub": .string("mallory")]), by: "ec-1").split(separator: ".")
            return parts[0] + "." + other[1] + "." + parts[2]
        },
        // Registered claims: NumericDates, in their window, for this issuer and audience.
        JWTAttack("expired", refusedFor: "exp") { f in
            try f.signed(f.header(), f.claims(["exp": .number(now - 120)]), by: "ec-1")
        },
        JWTAttack("no expiry", refusedFor: "exp") { f in
            try f.signed(f.header(), f.claims(["exp": .null]), by: "ec-1")
        },
        JWTAttack("exp as a string", refusedFor: "exp") { f in
            try f.signed(f.header(), f.claims(["exp": .string(String(Int(now + 600)))]), by: "ec-1")
        },
        JWTAttack("not valid yet", refusedFor: "nbf") { f in
            try f.signed(f.header(), f.claims(["nbf": .number(now + 600)]), by: "ec-1")
        },
        JWTAttack("nbf as a string, in the future", refusedFor: "nbf") { f in
            try f.signed(f.header(), f.claims(["nbf": .string(String(Int(now + 600)))]), by: "ec-1")
        },
        JWTAttack("iat as a string", refusedFor: "iat") { f in
            try f.signed(f.header(), f.claims(["iat": .string(String(Int(now)))]), by: "ec-1")
        },
        JWTAttack("iat as a boolean", refusedFor: "iat") { f in
            try f.signed(f.header(), f.claims(["iat": .bool(true)]), by: "ec-1")
        },
        JWTAttack("another audience", refusedFor: "aud") { f in
            try f.signed(f.header(), f.claims(["aud": .array([.string("api://someone-else")])]), by: "ec-1")
        },
        JWTAttack("no audience", refusedFor: "aud") { f in
            try f.signed(f.header(), f.claims(["aud": .null]), by: "ec-1")
        },
        JWTAttack("another issuer", refusedFor: "iss") { f in
            try f.signed(f.header(), f.claims(["iss": .string("https://evil.example.test/v2.0")]), by: "ec-1")
        },
        JWTAttack("the issuer as a list", refusedFor: "iss") { f in
            try f.signed(f.header(), f.claims(["iss": .array([.string(f.issuerURL)])]), by: "ec-1")
        },
        JWTAttack("no subject", refusedFor: "sub") { f in
            try f.signed(f.header(), f.claims(["sub": .null]), by: "ec-1")
        },
    ]
}

/// Forged tokens against a real server whose issuer publishes RSA and EC keys, with and without a JWK `alg`,
/// through its discovery document; a forger serves keys of its own. Every case also proves that an honest token
/// of the same server passes, so the suite cannot pass by refusing everything.
@Suite struct JWTAttackTests {
    func withIssuer(_ body: @Sendable (Forgery, PillarClient) async throws -> Void) async throws {
        let issuer = TestIdentityProvider()
        try await issuer.addES256(kid: "ec-1")
        try await issuer.addRS256(kid: "rsa-1")
        try await issuer.addES256(kid: "ec-bare", alg: nil)
        try await issuer.addRS256(kid: "rsa-bare", alg: nil)
        try await issuer.addRS256(kid: "rsa-384", alg: "RS384")
        let forger = TestIdentityProvider()
        try await forger.addES256(kid: "forger-ec")
        try await issuer.run { issuerURL in
            try await forger.run { forgerURL in
                try await withPillar(configure: { configuration in
                    // The keys come from the discovery document of this issuer URL, as with a real provider.
                    var oidc = PillarConfiguration.OIDC(issuer: issuerURL, audiences: ["api://pillar"])
                    oidc.tenantClaim = "tid"
                    oidc.tenantMap = ["contoso-tid": "contoso"]
                    oidc.roleMap = ["Pillar.Admin": "admin", "Pillar.User": "user"]
                    configuration.oidc = [oidc]
                }) { pillar in
                    try await body(Forgery(issuer: issuer, forger: forger, forgerURL: forgerURL, issuerURL: issuerURL), pillar)
                }
                #expect(forger.requests.withLockedValue { $0 }.isEmpty, "Pillar fetched keys a token pointed to")
            }
        }
    }

    /// One server for every case: a server per case would start dozens at once, and each case leaves the
    /// server as it found it (the keys never change, and an unknown `kid` is refused with or without a refresh).
    @Test func refusesEveryForgedToken() async throws {
        try await withIssuer { forgery, pillar in
            for attack in JWTAttack.all {
                let honest = try forgery.signed(forgery.header(), forgery.claims(), by: "ec-1")
                #expect(try await pillar.request(.GET, "/v1/models", key: honest).status == 200, "before: \(attack.name)")

                let response = try await pillar.request(.GET, "/v1/models", key: try await attack.forge(forgery))
                let error = response.json["error"] as? [String: Any]
                #expect(response.status == 401, "\(attack.name): \(response.body)")
                #expect(error?["code"] as? String == "invalid_token", "\(attack.name): \(response.body)")
                #expect(error?["type"] as? String == "authentication_error", "\(attack.name)")
                #expect(error?["param"] as? String == attack.refusedFor, "\(attack.name): \(response.body)")
                #expect((error?["message"] as? String)?.isEmpty == false, "\(attack.name)")
                #expect(response.headers["www-authenticate"]?.contains(#"error="invalid_token""#) == true, "\(attack.name)")
            }
        }
    }

    /// The honest counterparts of the algorithm cases: every published key verifies its own algorithm.
    @Test func acceptsEachKeyWithItsOwnAlgorithm() async throws {
        try await withIssuer { forgery, pillar in
            for (alg, kid) in [("ES256", "ec-1"), ("RS256", "rsa-1"), ("ES256", "ec-bare"), ("RS256", "rsa-bare")] {
                let token = try forgery.signed(
                    forgery.header(alg: alg, kid: kid), forgery.claims(["iat": .number(JWTAttack.now)]), by: kid)
                let response = try await pillar.request(.GET, "/v1/models", key: token)
                #expect(response.status == 200, "\(alg) with \(kid): \(response.body)")
            }
        }
    }

    /// The counterpart of "no key id while the issuer has several keys": with a single key, none is needed.
    @Test func acceptsATokenWithoutKeyIDWhenTheIssuerHasOneKey() async throws {
        let issuer = TestIdentityProvider()
        try await issuer.addES256(kid: "only")
        try await issuer.run { issuerURL in
            try await withPillar(configure: { configuration in
                var oidc = PillarConfiguration.OIDC(issuer: issuerURL, audiences: ["api://pillar"])
                oidc.defaultTenant = "default"
                configuration.oidc = [oidc]
            }) { pillar in
                let forgery = Forgery(issuer: issuer, forger: issuer, forgerURL: issuerURL, issuerURL: issuerURL)
                let token = try forgery.signed(forgery.header(kid: nil), forgery.claims(), by: "only")
                let response = try await pillar.request(.GET, "/v1/models", key: token)
                #expect(response.status == 200, "\(response.body)")
            }
        }
    }
}
