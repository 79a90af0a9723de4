import Foundation
import Testing

@testable import PillarServer

/// The samples the chat page offers a tenant with no documents: a real directory of markdown files, loaded
/// through the real ingestion path into the caller's tenant.
@Suite struct SampleDocumentsTests {
    func samplesDirectory() throws -> String {
        let directory = temporaryDirectory()
        try "# Budgets\n\nPillar reserves a request's tokens before the call and settles them after it.\n"
            .write(toFile: directory + "/gateway.md", atomically: true, encoding: .utf8)
        try "# Citations\n\nEvery grounded answer cites the passages it rests on.\n"
            .write(toFile: directory + "/retrieval.md", atomically: true, encoding: .utf8)
        try "not markdown".write(toFile: directory + "/notes.txt", atomically: true, encoding: .utf8)
        return directory
    }

    @Test func anAdminLoadsTheSamplesOnceAndThenTheyAreSearchable() async throws {
        let directory = try samplesDirectory()
        try await withRetrievalPillar(configure: { $0.retrieval.samplesDirectory = directory }) { pillar in
            let offer = try await pillar.request(.GET, "/v1/documents/samples")
            #expect(offer.status == 200)
            #expect(offer.json["available"] as? Bool == true)
            #expect(offer.json["documents"] as? Int == 2)

            let loaded = try await pillar.request(.POST, "/v1/documents/samples")
            #expect(loaded.status == 200, "\(loaded.body)")
            #expect(loaded.json["created"] as? Int == 2)
            #expect((loaded.json["chunks"] as? Int ?? 0) >= 2)
            let again = try await pillar.request(.POST, "/v1/documents/samples")
            #expect(again.json["unchanged"] as? Int == 2)
            #expect(again.json["created"] as? Int == 0)

            let documents = try await pillar.request(.GET, "/v1/documents")
            let sources = (documents.json["data"] as? [[String: Any]])?.compactMap { $0["source"] as? String }.sorted()
            // The source names the sample, not where the server keeps its files.
            #expect(sources == ["sample:pillar-docs/gateway.md", "sample:pillar-docs/retrieval.md"])
            let found = try await pillar.search("reserves tokens before the call", mode: "keyword")
            #expect(found.results.first?["source"] as? String == "sample:pillar-docs/gateway.md", "\(found.body)")

            let audit = try await pillar.request(.GET, "/v1/admin/audit?limit=50")
            let actions = (audit.json["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions.contains("document.samples"))
        }
    }

    @Test func usersMayNotAndAServerWithoutSamplesSaysSo() async throws {
        let missing = temporaryDirectory() + "/none"
        try await withRetrievalPillar(configure: { $0.retrieval.samplesDirectory = missing }) { pillar in
            let user = try await pillar.request(.POST, "/v1/admin/keys", body: #"{"name": "reader", "role": "user"}"#)
            let userKey = try #require(user.json["secret"] as? String)
            #expect(try await pillar.request(.GET, "/v1/documents/samples", key: userKey).status == 403)
            #expect(try await pillar.request(.POST, "/v1/documents/samples", key: userKey).status == 403)

            let offer = try await pillar.request(.GET, "/v1/documents/samples")
            #expect(offer.json["available"] as? Bool == false)
            let refused = try await pillar.request(.POST, "/v1/documents/samples")
            #expect(refused.status == 404)
            #expect(refused.errorCode == "samples_unavailable")
        }
    }
}
