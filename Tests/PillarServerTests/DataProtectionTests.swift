import Foundation
import GRDB
import PillarCore
import PillarGateway
import Testing

@testable import PillarServer
@testable import PillarStore

/// Personal data out of what is stored and (by policy) out of what reaches models and indexes; feedback that
/// carries a conversation only with consent; erasure; retention.
@Suite struct DataProtectionTests {
    static let personal = "I am Jane Doe, mail me at jane.doe@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111."

    @Test func storedTurnsTitlesAndTracesLoseTheirPersonalData() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            let answer = try await pillar.ask(Self.personal + " Who books flights?")
            #expect(answer.status == 200, "\(answer.body)")
            let id = try #require(answer.json["conversation_id"] as? String)
            let stored = try await pillar.request(.GET, "/v1/conversations/\(id)")
            let question = try #require((stored.json["messages"] as? [[String: Any]])?.first?["content"] as? String)
            for secret in ["jane.doe@example.com", "7946 0958", "4111 1111 1111 1111", "Jane Doe"] {
                #expect(!question.contains(secret), "\(secret) was stored: \(question)")
                #expect(!stored.body.contains(secret))
            }
            #expect(question.contains("[EMAIL]") && question.contains("[PHONE]") && question.contains("[PAYMENT_CARD]"))
            #expect(question.contains("[PERSON_NAME]"), "\(question)")
            let trace = try await pillar.request(.GET, "/v1/traces/\(answer.json["trace_id"] as? String ?? "")")
            #expect(trace.json["standalone_query"] as? String != nil)
            #expect(!trace.body.contains("jane.doe@example.com"))
        }
    }

    @Test func personalDataCanBeKeptFromModelsOrRefused() async throws {
        try await withSimulator { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)],
                configure: { configuration in
                    configuration.safety.tenantDefault.pii.beforeModel = true
                    var strict = PillarConfiguration.SafetyPolicy()
                    strict.pii.beforeModel = true
                    strict.pii.action = .block
                    configuration.safety.tenants["strict"] = strict
                }
            ) { pillar in
                // The simulator echoes what it received: the model never saw the address.
                let echoed = try await pillar.chat("write to jane.doe@example.com please")
                #expect(echoed.status == 200)
                let text =
                    ((echoed.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
                #expect(text == "Echo: write to [EMAIL] please", "\(echoed.body)")

                let strictKey = try await pillar.newKey(tenant: "strict")
                let refused = try await pillar.chat("write to jane.doe@example.com please", key: strictKey)
                #expect(refused.status == 400)
                #expect(refused.errorCode == "pii_blocked")
                #expect(!refused.body.contains("jane.doe"), "the refusal names kinds, not values")
                #expect(try await pillar.chat("nothing personal here", key: strictKey).status == 200)
                // Multi-part contents are checked part by part, as SDKs often send them.
                let parts =
                    #"{"model": "sim", "messages": [{"role": "user", "content": [{"type": "text", "text": "my SSN is 536-22-8726"}]}]}"#
                let refusedParts = try await pillar.request(.POST, "/v1/chat/completions", key: strictKey, body: parts)
                #expect(refusedParts.errorCode == "pii_blocked", "\(refusedParts.body)")
                let embedded = try await pillar.request(
                    .POST, "/v1/embeddings", key: strictKey,
                    body: #"{"model": "sim", "input": "mail jane.doe@example.com"}"#)
                #expect(embedded.errorCode == "pii_blocked", "\(embedded.body)")
            }
        }
    }

    @Test func documentsLosePersonalDataBeforeIndexingWhenThePolicySaysSo() async throws {
        try await withRetrievalPillar(configure: { configuration in
            configuration.safety.tenantDefault.pii.documents = true
            configuration.safety.tenantDefault.pii.action = .pseudonymize
        }) { pillar in
            let content = "# Contacts\n\nThe facilities manager is reachable at facilities.lead@example.org for badge requests."
            #expect(try await pillar.ingest(["source": "contacts.md", "content": content]).status == 201)
            let found = try await pillar.search("badge requests facilities", mode: "keyword")
            let text = try #require(found.results.first?["text"] as? String)
            #expect(!text.contains("facilities.lead@example.org"))
            #expect(text.contains("<EMAIL_"), "\(text)")
            #expect(text.hasSuffix("for badge requests."), "sections moved with the replacement: \(text)")
        }
    }

    @Test func feedbackCarriesTheConversationOnlyWithConsent() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            let user = try await pillar.newKey(role: .user)
            let answer = try await pillar.ask("Who books flights?", key: user)
            let trace = try #require(answer.json["trace_id"] as? String)
            let body =
                #"{"trace_id": "\#(trace)", "thumbs": "up", "comment": "Great, mail me at jane.doe@example.com", "include_conversation": true}"#

            let withoutConsent = try await pillar.request(.POST, "/v1/feedback", key: user, body: body)
            #expect(withoutConsent.status == 201, "\(withoutConsent.body)")
            #expect(withoutConsent.json["conversation_included"] as? Bool == false)
            #expect((withoutConsent.json["reason"] as? String)?.contains("consent") == true)

            #expect(try await pillar.request(.GET, "/v1/me/consent", key: user).json["share_conversations"] as? Bool == false)
            #expect(
                try await pillar.request(.PUT, "/v1/me/consent", key: user, body: #"{"share_conversations": true}"#).status == 200
            )
            let withConsent = try await pillar.request(.POST, "/v1/feedback", key: user, body: body)
            #expect(withConsent.json["conversation_included"] as? Bool == true, "\(withConsent.body)")

            // Someone else cannot rate this answer.
            let other = try await pillar.newKey(role: .user)
            #expect(try await pillar.request(.POST, "/v1/feedback", key: other, body: body).status == 404)
            #expect(
                try await pillar.request(
                    .POST, "/v1/feedback", key: user,
                    body: #"{"trace_id": "\#(trace)", "rating": 9}"#
                ).status == 400)

            let listed = try await pillar.request(.GET, "/v1/admin/feedback")
            let records = try #require(listed.json["data"] as? [[String: Any]])
            #expect(records.count == 2)
            #expect(records.allSatisfy { ($0["comment"] as? String)?.contains("[EMAIL]") == true })
            #expect(records.filter { $0["conversation"] is [Any] }.count == 1)
            #expect(records.allSatisfy { $0["rating"] as? Int == 5 })
            #expect(records.allSatisfy { $0["trace_id"] as? String == trace && $0["created_at"] != nil })
            let shared = try #require(records.compactMap { $0["conversation"] as? [[String: Any]] }.first)
            #expect(shared.allSatisfy { $0["created_at"] != nil && $0["createdAt"] == nil }, "\(shared)")
            #expect(shared.contains { $0["trace_id"] as? String == trace }, "\(shared)")
        }
    }

    /// The feedback table keeps a shared conversation in the shape it always had (camelCase keys), whatever the
    /// API's keys: rows written before the API moved to snake_case read back, and new rows are written alike.
    @Test func storedFeedbackConversationsKeepTheirShape() throws {
        let stored = #"[{"id":"m_1","role":"assistant","content":"Hi","citations":[],"traceID":"tr_1","createdAt":12.5}]"#
        let messages = try JSONDecoder().decode([StoredFeedbackMessage].self, from: Data(stored.utf8)).map(\.message)
        #expect(messages == [ConversationMessage(id: "m_1", role: .assistant, content: "Hi", traceID: "tr_1", createdAt: 12.5)])
        let written = try JSONEncoder().encode(messages.map(StoredFeedbackMessage.init))
        #expect(
            try JSONDecoder().decode(JSONValue.self, from: written)
                == JSONDecoder().decode(JSONValue.self, from: Data(stored.utf8)))
    }

    @Test func erasureRemovesEveryTraceOfOneUser() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            let created = try await pillar.request(.POST, "/v1/admin/keys", body: #"{"name": "alice", "role": "user"}"#)
            let alice = try #require(created.json["secret"] as? String)
            let aliceID = try #require((created.json["key"] as? [String: Any])?["id"] as? String)
            let bob = try await pillar.newKey(role: .user)
            let asked = try await pillar.ask("Who books flights?", key: alice)
            let trace = try #require(asked.json["trace_id"] as? String)
            _ = try await pillar.request(.POST, "/v1/feedback", key: alice, body: #"{"trace_id": "\#(trace)", "thumbs": "down"}"#)
            _ = try await pillar.ask("Who books flights?", key: bob)

            let erased = try await pillar.request(.POST, "/v1/admin/subjects/\(aliceID)/erasure")
            #expect(erased.status == 200, "\(erased.body)")
            #expect(erased.json["conversations"] as? Int == 1 && erased.json["traces"] as? Int == 1)
            #expect(erased.json["feedback"] as? Int == 1)
            #expect(erased.json["turns_anonymised"] as? Int ?? 0 >= 1)
            #expect((try await pillar.request(.GET, "/v1/conversations", key: alice).json["data"] as? [Any])?.isEmpty == true)
            #expect(try await pillar.request(.GET, "/v1/traces/\(trace)").status == 404)
            #expect((try await pillar.request(.GET, "/v1/conversations", key: bob).json["data"] as? [Any])?.count == 1)

            let database = try PillarDatabase(dataDirectory: pillar.dataDirectory)
            let named = try await database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM turn WHERE subject = ?", arguments: [aliceID]) ?? -1
            }
            #expect(named == 0)
            let audit = try await pillar.request(.GET, "/v1/admin/audit")
            let erasure = (audit.json["data"] as? [[String: Any]])?.first { $0["action"] as? String == "subject.erase" }
            // The erasure's record names the subject by a hash only (its key's creation stays recorded as it was).
            let target = try #require(erasure?["target"] as? String)
            #expect(target.hasPrefix("hmac:") && !target.contains(aliceID))
            let details = (erasure?["details"] as? [String: String]) ?? [:]
            #expect(details["conversations"] == "1" && !details.values.contains(aliceID))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func retentionPurgesOldTurnsOnASchedule() async throws {
        try await withRetrievalPillar(configure: { configuration in
            configuration.safety.tenantDefault.retentionDays = 1.0 / 86_400  // one second
            configuration.safety.retentionCheckSeconds = 0.2
        }) { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            let asked = try await pillar.ask("Who books flights?")
            let id = try #require(asked.json["conversation_id"] as? String)
            let trace = try #require(asked.json["trace_id"] as? String)
            // Purges run every 0.2 s on whatever is older than a second; each is a transaction of its own, so the
            // conversation and the trace may go in different runs.
            var remaining: [Int] = []
            repeat {
                try await Task.sleep(for: .milliseconds(200))
                remaining = [
                    try await pillar.request(.GET, "/v1/conversations/\(id)").status,
                    try await pillar.request(.GET, "/v1/traces/\(trace)").status,
                ]
            } while remaining != [404, 404]
            #expect(remaining == [404, 404])
            let audit = try await pillar.request(.GET, "/v1/admin/audit")
            #expect((audit.json["data"] as? [[String: Any]])?.contains { $0["action"] as? String == "retention.purge" } == true)
        }
    }
}
