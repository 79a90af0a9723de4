import Foundation
import PillarCore
import Testing

@testable import PillarStore

/// Deleting many documents at once (a folder sync) removes each from every index, merging the keyword index once
/// per batch (a real SQLite file).
@Suite struct DocumentDeletionTests {
    @Test func manyDocumentsGoInOneCallAndOnlyTheRealOnesAreCounted() async throws {
        let documents = KeywordRankingTests.corpus(count: 12, prefix: "d", acl: [], seed: 5)
        let (repository, directory) = try await KeywordRankingTests.store(documents)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let doomed = ["d1", "d3", "d5", "d7", "d3", "no-such-document"]
        #expect(try await repository.deleteDocuments(tenant: "t", ids: doomed) == 4, "duplicates and unknown ids do not count")
        let left = try await repository.listDocuments(tenant: "t", sourcePrefix: nil, after: nil, limit: 100).map(\.id)
        #expect(Set(left) == Set(documents.map(\.id)).subtracting(doomed))
        let scope = AccessScope(tenant: "t", groups: [])
        let hits = try await repository.keywordSearch(KeywordRankingTests.topics.joined(separator: " "), scope: scope, limit: 100)
        let hitDocuments = Set(try await repository.chunkHits(tenant: "t", ids: hits.map(\.id)).values.map(\.documentID))
        #expect(hitDocuments == Set(left), "the keyword index holds only what is left")
        #expect(try await repository.deleteDocument(tenant: "t", id: "d1") == false, "already gone")
        #expect(try await repository.deleteDocument(tenant: "t", id: "d2"))
    }
}
