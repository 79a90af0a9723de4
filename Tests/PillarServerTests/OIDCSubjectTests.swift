import Foundation
import PillarCore
import Testing

@testable import PillarServer

/// A subject names whose data it is. An identity provider chooses its `sub` values freely, so an OIDC user must
/// never become an API key (whose subject is its id) nor a user of another issuer with the same `sub`.
@Suite struct OIDCSubjectTests {
    static let otherIssuer = "https://login.example.test/tenant-2/v2.0"

    func claims(issuer: String, sub: String) -> [String: JSONValue] {
        OIDCTests().claims(["iss": .string(issuer), "sub": .string(sub)]).filter { $0.key != "tid" }
    }

    /// Two issuers, whose tokens both land in the `default` tenant beside its API keys.
    func withTwoIssuers(_ body: @Sendable (TestIdentityProvider, TestIdentityProvider, PillarClient) async throws -> Void)
        async throws
    {
        let first = TestIdentityProvider()
        try await first.addES256(kid: "first-1")
        let second = TestIdentityProvider()
        try await second.addES256(kid: "second-1")
        try await first.run { firstURL in
            try await second.run { secondURL in
                try await withRetrievalPillar(configure: { configuration in
                    configuration.oidc = [(OIDCTests.issuer, firstURL), (Self.otherIssuer, secondURL)].map { issuer, url in
                        var oidc = PillarConfiguration.OIDC(issuer: issuer, audiences: ["api://pillar"])
                        oidc.jwksURL = url + "/jwks"
                        oidc.defaultTenant = "default"
                        oidc.roleMap = ["Pillar.User": "user"]
                        return oidc
                    }
                }) { pillar in
                    #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
                    try await body(first, second, pillar)
                }
            }
        }
    }

    @Test func aTokenWhoseSubIsAKeyIDDoesNotReadThatKeysData() async throws {
        try await withTwoIssuers { issuer, _, pillar in
            let created = try await pillar.request(.POST, "/v1/admin/keys", body: #"{"name": "alice's key", "role": "user"}"#)
            let keyID = try #require((created.json["key"] as? [String: Any])?["id"] as? String, "\(created.body)")
            let key = try #require(created.json["secret"] as? String)
            let asked = try await pillar.ask("Who books flights?", key: key)
            let conversation = try #require(asked.json["conversation_id"] as? String, "\(asked.body)")
            let trace = try #require(asked.json["trace_id"] as? String)

            let impostor = try await issuer.token(kid: "first-1", claims: claims(issuer: OIDCTests.issuer, sub: keyID))
            #expect(try await pillar.request(.GET, "/v1/models", key: impostor).status == 200)
            #expect(try await pillar.request(.GET, "/v1/conversations/\(conversation)", key: impostor).status == 404)
            #expect(try await pillar.request(.GET, "/v1/traces/\(trace)", key: impostor).status == 404)
            #expect((try await pillar.request(.GET, "/v1/conversations", key: impostor).json["data"] as? [Any])?.isEmpty == true)
            let feedback = #"{"trace_id": "\#(trace)", "thumbs": "up"}"#
            #expect(try await pillar.request(.POST, "/v1/feedback", key: impostor, body: feedback).status == 404)
            // The key still owns all of it.
            #expect(try await pillar.request(.GET, "/v1/conversations/\(conversation)", key: key).status == 200)
            #expect(try await pillar.request(.GET, "/v1/traces/\(trace)", key: key).status == 200)
        }
    }

    @Test func theSameSubFromTwoIssuersIsTwoUsers() async throws {
        try await withTwoIssuers { first, second, pillar in
            let alice = try await first.token(kid: "first-1", claims: claims(issuer: OIDCTests.issuer, sub: "alice"))
            let otherAlice = try await second.token(kid: "second-1", claims: claims(issuer: Self.otherIssuer, sub: "alice"))
            let asked = try await pillar.ask("Who books flights?", key: alice)
            let conversation = try #require(asked.json["conversation_id"] as? String, "\(asked.body)")
            let trace = try #require(asked.json["trace_id"] as? String)

            #expect(try await pillar.request(.GET, "/v1/conversations/\(conversation)", key: alice).status == 200)
            #expect(try await pillar.request(.GET, "/v1/conversations/\(conversation)", key: otherAlice).status == 404)
            #expect(try await pillar.request(.GET, "/v1/traces/\(trace)", key: otherAlice).status == 404)

            // Turns and audit name the user with the issuer's namespace, which is what erasure takes.
            let turns = try await pillar.request(.GET, "/v1/admin/turns")
            let subjects = Set(((turns.json["data"] as? [[String: Any]]) ?? []).compactMap { $0["subject"] as? String })
            #expect(subjects.contains(OIDCSubject.named("alice", issuer: OIDCTests.issuer)), "\(subjects)")
            #expect(!subjects.contains("alice"))
            let subject = OIDCSubject.named("alice", issuer: OIDCTests.issuer)
            let erased = try await pillar.request(.POST, "/v1/admin/subjects/\(subject)/erasure")
            #expect(erased.status == 200, "\(erased.body)")
            #expect(try await pillar.request(.GET, "/v1/conversations/\(conversation)", key: alice).status == 404)
        }
    }
}
