import Foundation
import Testing

@testable import PillarServer

/// The prompt library over HTTP: versions checked when saved, labels, canaries sticky per conversation,
/// promotion, rollback, diff, and every answer naming the version it used.
@Suite struct PromptLibraryTests {
    /// A new version of the shipped answer prompt with another system text, as the JSON body that saves it.
    static func newAnswerPrompt(system: String) -> String {
        let prompt: [String: Any] = [
            "variables": [
                ["name": "question"], ["name": "standalone_question"], ["name": "sources"],
                ["name": "history", "required": false],
            ],
            "parameters": ["temperature": 0, "max_tokens": 200],
            "messages": [
                [
                    "role": "system",
                    "template": system
                        + "\n\nSources:\n{{#sources}}\n[{{marker}}] Title: {{title}}\n{{text}}\n\n{{/sources}}\nQuestion: {{standalone_question}}",
                ],
                ["role": "history"],
                ["role": "user", "template": "{{question}}"],
            ],
        ]
        let body: [String: Any] = ["name": "rag-answer", "note": "terser", "prompt": prompt]
        return String(data: try! JSONSerialization.data(withJSONObject: body), encoding: .utf8)!
    }

    /// Asks in that many new conversations, twice each; every conversation must keep its version.
    static func versionsServed(_ pillar: PillarClient, conversations: Int) async throws -> Set<Int> {
        var versions = Set<Int>()
        for index in 0..<conversations {
            let first = try await pillar.ask("Who books flights? (\(index))")
            let version = try #require(first.promptVersion)
            versions.insert(version)
            let conversation = try #require(first.json["conversation_id"] as? String)
            let again = try await pillar.ask("And hotel receipts?", conversation: conversation)
            #expect(again.promptVersion == version, "sticky per conversation")
        }
        return versions
    }

    @Test func versionsLabelsCanaryPromotionAndRollback() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            // The shipped prompt is version 1 of the tenant's library; a new version is 2.
            let saved = try await pillar.request(
                .POST, "/v1/admin/prompts", body: Self.newAnswerPrompt(system: "Answer tersely from the sources."))
            #expect(saved.status == 201, "\(saved.body)")
            #expect(saved.json["version"] as? Int == 2)

            // Production still serves version 1 until a label moves.
            let served1 = try await pillar.ask("Who books flights?")
            #expect(served1.promptVersion == 1)
            #expect(
                try await pillar.request(.PUT, "/v1/admin/prompts/rag-answer/labels/staging", body: #"{"version": 2}"#).status
                    == 200)
            let served2 = try await pillar.ask("Who books flights?", label: "staging")
            #expect(served2.promptVersion == 2)
            // A label the prompt lacks falls back to production for inherited references.
            let served3 = try await pillar.ask("Who books flights?", label: "nightly")
            #expect(served3.promptVersion == 1)

            // A 50/50 canary on production: both versions serve, each conversation keeps its version.
            let split = try await pillar.request(
                .PUT, "/v1/admin/prompts/rag-answer/labels/production",
                body: #"{"split": [{"version": 1, "weight": 50}, {"version": 2, "weight": 50}]}"#)
            #expect(split.status == 200, "\(split.body)")
            let versions = try await Self.versionsServed(pillar, conversations: 24)
            #expect(versions == [1, 2])

            // Promote staging to production; roll back returns to the canary, then to version 1.
            let promoted = try await pillar.request(
                .POST, "/v1/admin/prompts/rag-answer/promote", body: #"{"from": "staging", "to": "production"}"#)
            #expect(promoted.status == 200, "\(promoted.body)")
            let served4 = try await pillar.ask("Who books flights?")
            #expect(served4.promptVersion == 2)
            #expect(try await pillar.request(.POST, "/v1/admin/prompts/rag-answer/labels/production/rollback").status == 200)
            let rolled = try await pillar.request(.POST, "/v1/admin/prompts/rag-answer/labels/production/rollback")
            #expect((rolled.json["split"] as? [[String: Any]])?.map { $0["version"] as? Int } == [1])
            let served5 = try await pillar.ask("Who books flights?")
            #expect(served5.promptVersion == 1)
            let nothing = try await pillar.request(.POST, "/v1/admin/prompts/rag-answer/labels/production/rollback")
            #expect(nothing.status == 400)
            #expect(nothing.errorCode == "nothing_to_roll_back")

            let diff = try await pillar.request(.GET, "/v1/admin/prompts/rag-answer/diff?from=1&to=2")
            let text = try #require(diff.json["diff"] as? String)
            #expect(text.hasPrefix("--- rag-answer@1\n+++ rag-answer@2\n"), "\(text)")
            #expect(text.contains("+") && text.contains("Answer tersely from the sources."))

            let shown = try await pillar.request(.GET, "/v1/admin/prompts/rag-answer")
            #expect((shown.json["versions"] as? [[String: Any]])?.map { $0["version"] as? Int } == [1, 2])
            let listed = try await pillar.request(.GET, "/v1/admin/prompts")
            let names = (listed.json["data"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            // The shipped prompts: the RAG flow's and the evaluation judges'.
            #expect(
                names == [
                    "judge-coherence", "judge-correctness", "judge-groundedness", "judge-relevance",
                    "rag-answer", "rag-condense",
                ])
            let body = try await pillar.request(.GET, "/v1/admin/prompts/rag-answer/versions/2")
            #expect((body.json["body"] as? String)?.contains("Answer tersely") == true)
        }
    }

    @Test(arguments: [
        (
            #"{"name": "p", "prompt": {"variables": [], "messages": [{"role": "user", "template": "Hi {{who}}"}]}}"#,
            "variable 'who' is used but not declared"
        ),
        (
            #"{"name": "p", "prompt": {"variables": [{"name": "x"}], "messages": [{"role": "user", "template": "Hi"}]}}"#,
            "variable 'x' is declared but never used"
        ),
        (
            #"{"name": "p", "prompt": {"variables": [], "messages": [{"role": "user", "template": "Hi {{#a}}"}]}}"#,
            "messages[0]"
        ),
        (
            #"{"name": "p", "prompt": {"variables": [], "messages": [{"role": "robot", "template": "Hi"}]}}"#,
            "role must be"
        ),
        (
            #"{"name": "p", "prompt": {"variables": [], "messages": [{"role": "user", "template": "{{> partial}}"}]}}"#,
            "partials are not supported"
        ),
        (
            #"{"name": "Bad Name", "prompt": {"variables": [], "messages": [{"role": "user", "template": "Hi"}]}}"#,
            "A name is"
        ),
        (
            #"{"name": "p", "prompt": {"variables": [], "parameters": {"temperature": 5}, "messages": [{"role": "user", "template": "Hi"}]}}"#,
            "temperature"
        ),
        (#"{"name": "p", "prompt": "not an object"}"#, "prompt must be an object"),
    ])
    func invalidPromptsAreRefusedWhenSaved(body: String, message: String) async throws {
        try await withRetrievalPillar { pillar in
            let response = try await pillar.request(.POST, "/v1/admin/prompts", body: body)
            #expect(response.status == 400, "\(response.body)")
            let error = response.json["error"] as? [String: Any]
            #expect((error?["message"] as? String)?.contains(message) == true, "\(response.body)")
            #expect(try await pillar.request(.GET, "/v1/admin/prompts/p").status == 404)
        }
    }

    @Test func onlyAdminsManageTheLibrary() async throws {
        try await withRetrievalPillar { pillar in
            let user = try await pillar.newKey(role: .user)
            #expect(try await pillar.request(.GET, "/v1/admin/prompts", key: user).status == 403)
            #expect(
                try await pillar.request(
                    .PUT, "/v1/admin/prompts/rag-answer/labels/production", key: user, body: #"{"version": 1}"#
                ).status == 403)
            #expect(try await pillar.request(.GET, "/v1/admin/flows", key: user).status == 403)
            // Labels must point at versions that exist, and splits must add up.
            #expect(
                try await pillar.request(.PUT, "/v1/admin/prompts/rag-answer/labels/production", body: #"{"version": 9}"#).status
                    == 400)
            let uneven = try await pillar.request(
                .PUT, "/v1/admin/prompts/rag-answer/labels/production",
                body: #"{"split": [{"version": 1, "weight": 60}, {"version": 1, "weight": 60}]}"#)
            #expect(uneven.status == 400)
            #expect(
                try await pillar.request(.PUT, "/v1/admin/prompts/nope/labels/production", body: #"{"version": 1}"#).status == 404
            )
        }
    }
}

extension TestResponse {
    /// The version of the prompt an answer used.
    var promptVersion: Int? { (json["prompt"] as? [String: Any])?["version"] as? Int }
}
