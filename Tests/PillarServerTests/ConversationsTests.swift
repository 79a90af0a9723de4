import Foundation
import Testing

@testable import PillarServer

/// Conversations and traces belong to their user: another user of the tenant, or anyone of another tenant,
/// finds nothing (404, never 403, so ids reveal nothing).
@Suite struct ConversationsTests {
    @Test func aUserNeverSeesAnotherUsersConversations() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            let alice = try await pillar.newKey(role: .user)
            let bob = try await pillar.newKey(role: .user)
            let stranger = try await pillar.newKey(tenant: "other", role: .admin)

            let asked = try await pillar.ask("Who books flights?", key: alice)
            let id = try #require(asked.json["conversation_id"] as? String)
            let trace = try #require(asked.json["trace_id"] as? String)
            let aliceList = try await pillar.request(.GET, "/v1/conversations", key: alice)
            #expect((aliceList.json["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect((aliceList.json["data"] as? [[String: Any]])?.first?["title"] as? String == "Who books flights?")

            for key in [bob, stranger] {
                #expect((try await pillar.request(.GET, "/v1/conversations", key: key).json["data"] as? [Any])?.isEmpty == true)
                #expect(try await pillar.request(.GET, "/v1/conversations/\(id)", key: key).status == 404)
                #expect(
                    try await pillar.request(.PATCH, "/v1/conversations/\(id)", key: key, body: #"{"title": "mine"}"#).status
                        == 404)
                #expect(try await pillar.request(.DELETE, "/v1/conversations/\(id)", key: key).status == 404)
                #expect(try await pillar.ask("and hotels?", conversation: id, key: key).status == 404)
                #expect(try await pillar.request(.GET, "/v1/traces/\(trace)", key: key).status == 404)
            }
            // The tenant's admin may read the trace (to explain an answer), not the conversation.
            #expect(try await pillar.request(.GET, "/v1/traces/\(trace)").status == 200)
            #expect(try await pillar.request(.GET, "/v1/conversations/\(id)").status == 404)

            let renamed = try await pillar.request(.PATCH, "/v1/conversations/\(id)", key: alice, body: #"{"title": "Flights"}"#)
            #expect(renamed.json["title"] as? String == "Flights")
            #expect(
                try await pillar.request(.PATCH, "/v1/conversations/\(id)", key: alice, body: #"{"title": "  "}"#).status == 400)
            #expect(
                try await pillar.request(.PATCH, "/v1/conversations/\(id)", key: alice, body: #"{"title": "a\nb"}"#).status == 400
            )
            let read = try await pillar.request(.GET, "/v1/conversations/\(id)", key: alice)
            #expect(read.json["title"] as? String == "Flights")
            #expect((read.json["messages"] as? [Any])?.count == 2)
            #expect(try await pillar.request(.DELETE, "/v1/conversations/\(id)", key: alice).status == 204)
            #expect(try await pillar.request(.GET, "/v1/conversations/\(id)", key: alice).status == 404)
            #expect(try await pillar.request(.GET, "/v1/conversations?limit=0", key: alice).status == 400)
        }
    }
}
