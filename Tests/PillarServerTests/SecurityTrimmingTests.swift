import Foundation
import PillarCore
import PillarRetrieval
import Testing

@testable import PillarServer

/// Many tenants, groups and ACLs, and callers with random group memberships (real OIDC tokens against a real
/// server): no search, in any mode, ever returns a chunk from another tenant or from a document the caller's
/// groups may not read, and a caller always gets every readable match (the ACL is applied before ranking and
/// the limit, not after). It runs once with every vector search an exact scan and once with every one a
/// filtered walk of the HNSW graph.
@Suite struct SecurityTrimmingTests {
    static let issuer = "https://login.example.test/trimming/v2.0"
    static let tenants = (0..<8).map { "t\($0)" }
    static let groups = ["g0", "g1", "g2", "g3", "g4"]

    struct Document: Sendable {
        var tenant: String
        var id: String
        var acl: [String]
        var marker: String
    }

    func token(_ provider: TestIdentityProvider, tenant: String, groups: [String], admin: Bool) async throws -> String {
        let now = Date().timeIntervalSince1970
        return try await provider.token(
            kid: "ec-1",
            claims: [
                "iss": .string(Self.issuer), "aud": .string("api://pillar"),
                "sub": .string("user-\(UUID().uuidString.prefix(8))"),
                "tid": .string("tid-\(tenant)"), "exp": .number(now + 600), "nbf": .number(now - 10),
                "roles": .array([.string(admin ? "Pillar.Admin" : "Pillar.User")]),
                "groups": .array(groups.map { .string($0) }),
            ])
    }

    @Test(arguments: [0, PillarConfiguration().retrieval.exactSearchBelow])
    func noSearchEverCrossesATenantOrAnACL(exactSearchBelow: Int) async throws {
        let provider = TestIdentityProvider()
        try await provider.addES256(kid: "ec-1")
        try await provider.run { baseURL in
            try await withRetrievalPillar(configure: { configuration in
                var oidc = PillarConfiguration.OIDC(issuer: Self.issuer, audiences: ["api://pillar"])
                oidc.jwksURL = baseURL + "/jwks"
                oidc.tenantClaim = "tid"
                oidc.tenantMap = Dictionary(uniqueKeysWithValues: Self.tenants.map { ("tid-\($0)", $0) })
                oidc.roleMap = ["Pillar.Admin": "admin", "Pillar.User": "user"]
                configuration.oidc = [oidc]
                configuration.retrieval.exactSearchBelow = exactSearchBelow
            }) { pillar in
                var generator = SplitMix64(seed: 20_261_122)
                var documents: [Document] = []
                for tenant in Self.tenants {
                    let admin = try await token(provider, tenant: tenant, groups: [], admin: true)
                    for index in 0..<36 {
                        let acl = Array(Self.groups.shuffled(using: &generator).prefix(Int.random(in: 0...2, using: &generator)))
                        let marker = "mark\(tenant)x\(index)"
                        let response = try await pillar.ingest(
                            [
                                "source": "doc-\(index).txt", "acl": acl,
                                "content": "Shared words alpha beta gamma. Unique \(marker). Topic \(index % 5) delta.",
                            ], key: admin)
                        #expect(response.status == 201, "\(response.body)")
                        documents.append(
                            Document(
                                tenant: tenant, id: try #require(response.document["id"] as? String),
                                acl: acl, marker: marker))
                    }
                }
                let byID = Dictionary(uniqueKeysWithValues: documents.map { ($0.id + "@" + $0.tenant, $0) })

                for _ in 0..<40 {
                    let tenant = Self.tenants.randomElement(using: &generator)!
                    let groups = Self.groups.filter { _ in Bool.random(using: &generator) }
                    let scope = AccessScope(tenant: tenant, groups: groups)
                    let caller = try await token(provider, tenant: tenant, groups: groups, admin: Bool.random(using: &generator))
                    let readable = documents.filter { $0.tenant == tenant && scope.canRead(aclGroups: $0.acl) }
                    let target = documents.randomElement(using: &generator)!
                    let queries = ["alpha beta gamma", target.marker, "topic \(Int.random(in: 0..<5, using: &generator)) delta"]
                    for query in queries {
                        for mode in ["keyword", "vector", "hybrid"] {
                            // Asking for exactly as many results as the caller may read: had unreadable chunks been
                            // ranked and dropped afterwards, some readable ones would be missing.
                            let topK = query == "alpha beta gamma" ? max(1, readable.count) : 10
                            let found = try await pillar.search(query, mode: mode, topK: topK, key: caller)
                            #expect(found.status == 200, "\(found.body)")
                            for result in found.results {
                                let id = result["document_id"] as? String ?? ""
                                let document = try #require(
                                    byID[id + "@" + tenant], "\(mode) '\(query)' crossed tenants: \(result)")
                                #expect(
                                    scope.canRead(aclGroups: document.acl),
                                    "\(mode) '\(query)' for \(groups) returned a document for \(document.acl)")
                            }
                            if query == "alpha beta gamma" {
                                // Every readable document holds these words: all of them, and only them, come back.
                                let ids = Set(found.results.compactMap { $0["document_id"] as? String })
                                #expect(ids == Set(readable.map(\.id)), "\(mode) for \(groups)")
                            }
                            if query == target.marker, mode == "keyword" {
                                let visible = target.tenant == tenant && scope.canRead(aclGroups: target.acl)
                                #expect(
                                    found.results.isEmpty == !visible,
                                    "marker of \(target.acl) in \(target.tenant) for \(groups) in \(tenant)")
                            }
                        }
                    }
                }
            }
        }
    }
}
