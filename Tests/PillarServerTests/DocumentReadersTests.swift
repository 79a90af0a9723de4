import Foundation
import Testing

@testable import PillarServer

/// `GET /v1/documents/{id}` for callers who are not admins: a reader sees the metadata of a document that
/// search would already show them (its tenant, its ACL lets their groups read it), never its ACL, and nothing
/// of other tenants' documents or of ones their groups may not read, which answer exactly as missing ones do.
@Suite struct DocumentReadersTests {
    /// Tokens as the security-trimming suite makes them: tenant `t` is claim `tid-t`, groups as given.
    func token(_ provider: TestIdentityProvider, tenant: String, groups: [String], admin: Bool = false) async throws -> String {
        try await SecurityTrimmingTests().token(provider, tenant: tenant, groups: groups, admin: admin)
    }

    @Test func aReaderSeesWhatTheyMayReadAndNothingElse() async throws {
        let provider = TestIdentityProvider()
        try await provider.addES256(kid: "ec-1")
        try await provider.run { baseURL in
            try await withRetrievalPillar(configure: { configuration in
                var oidc = PillarConfiguration.OIDC(issuer: SecurityTrimmingTests.issuer, audiences: ["api://pillar"])
                oidc.jwksURL = baseURL + "/jwks"
                oidc.tenantClaim = "tid"
                oidc.tenantMap = ["tid-a": "a", "tid-b": "b"]
                oidc.roleMap = ["Pillar.Admin": "admin", "Pillar.User": "user"]
                configuration.oidc = [oidc]
            }) { pillar in
                let admin = try await token(provider, tenant: "a", groups: [], admin: true)
                func ingest(_ source: String, acl: [String]) async throws -> String {
                    let response = try await pillar.ingest(
                        ["source": source, "acl": acl, "content": "Text of \(source)."], key: admin)
                    #expect(response.status == 201, "\(response.body)")
                    return try #require(response.document["id"] as? String)
                }
                let open = try await ingest("open.txt", acl: [])
                let kitchen = try await ingest("kitchen.txt", acl: ["kitchen"])

                let cook = try await token(provider, tenant: "a", groups: ["kitchen"])
                let shown = try await pillar.request(.GET, "/v1/documents/\(kitchen)", key: cook)
                #expect(shown.status == 200, "\(shown.body)")
                #expect(shown.json["source"] as? String == "kitchen.txt")
                #expect(shown.json["acl"] == nil, "a reader is not told who else may read it: \(shown.body)")
                #expect(try await pillar.request(.GET, "/v1/documents/\(open)", key: cook).status == 200)

                let clerk = try await token(provider, tenant: "a", groups: ["office"])
                let hidden = try await pillar.request(.GET, "/v1/documents/\(kitchen)", key: clerk)
                let missing = try await pillar.request(.GET, "/v1/documents/doc_nope", key: clerk)
                #expect(hidden.status == 404)
                #expect(hidden.errorCode == "not_found")
                let hiddenError = try JSONSerialization.jsonObject(
                    with: Data(hidden.body.replacingOccurrences(of: kitchen, with: "doc_nope").utf8))
                #expect(
                    (hiddenError as? NSDictionary) == (missing.json as NSDictionary),
                    "a hidden document answers exactly like a missing one")
                #expect(try await pillar.request(.GET, "/v1/documents/\(open)", key: clerk).status == 200)

                // Another tenant's reader, even in the right group, sees neither.
                let stranger = try await token(provider, tenant: "b", groups: ["kitchen"])
                #expect(try await pillar.request(.GET, "/v1/documents/\(kitchen)", key: stranger).status == 404)
                #expect(try await pillar.request(.GET, "/v1/documents/\(open)", key: stranger).status == 404)

                // Admins see the ACL; listing stays theirs alone.
                let full = try await pillar.request(.GET, "/v1/documents/\(kitchen)", key: admin)
                #expect(full.json["acl"] as? [String] == ["kitchen"])
                #expect(try await pillar.request(.GET, "/v1/documents", key: cook).status == 403)
            }
        }
    }
}
