import Foundation
import NIOHTTP1
import Testing

@testable import PillarServer
@testable import PillarStore

/// Eight documents that each hold one fact, and a dataset that asks for each: with the shipped answer prompt
/// the simulator quotes the fact and cites its document, so every metric has a known right value.
enum EvaluationFixture {
    static let colonies: [(animal: String, island: String, members: String)] = [
        ("puffin", "Skomer", "forty thousand"), ("gannet", "Bass Rock", "seventy five thousand"),
        ("tern", "Farne", "two thousand"), ("razorbill", "Ramsey", "nine hundred"),
        ("guillemot", "Handa", "ninety eight thousand"), ("kittiwake", "Noss", "three thousand"),
        ("shag", "Lundy", "one hundred"), ("fulmar", "Fetlar", "six thousand"),
    ]

    static func ingest(_ pillar: PillarClient) async throws {
        for colony in colonies {
            let response = try await pillar.ingest([
                "source": "colonies/\(colony.animal).md", "title": "\(colony.animal.capitalized) colony",
                "content":
                    "# \(colony.animal.capitalized)\n\nThe \(colony.animal) colony on \(colony.island) has \(colony.members) breeding pairs.",
            ])
            #expect(response.status == 201, "\(response.body)")
        }
    }

    static var datasetJSONL: String {
        colonies.enumerated().map { index, colony in
            let item: [String: Any] = [
                "id": "q\(index + 1)",
                "question": "How many breeding pairs does the \(colony.animal) colony on \(colony.island) have?",
                "expected_answer": "The \(colony.animal) colony on \(colony.island) has \(colony.members) breeding pairs.",
                "expected_facts": ["\(colony.members) breeding pairs"],
                "expected_sources": ["colonies/\(colony.animal).md"],
                "tags": ["colonies"],
            ]
            return String(data: try! JSONSerialization.data(withJSONObject: item, options: [.sortedKeys]), encoding: .utf8)!
        }.joined(separator: "\n") + "\n"
    }

    /// An answer prompt that leaves the sources out: the simulator can only echo the question.
    static let worsePrompt = """
        {"prompt": {"variables": [{"name": "question"}],
                    "messages": [{"role": "system", "template": "Answer briefly."}, {"role": "user", "template": "{{question}}"}]},
         "note": "drops the sources (deliberately worse)"}
        """
}

extension PillarClient {
    /// A new user key of the default tenant and the subject it signs in as.
    func newKeyWithSubject() async throws -> (secret: String, subject: String) {
        let database = try PillarDatabase(dataDirectory: dataDirectory)
        let issuer = APIKeyIssuer(
            keys: SQLiteAPIKeyRepository(database: database), tenants: SQLiteTenantRepository(database: database))
        let created = try await issuer.create(tenant: "default", name: "test user", role: .user)
        return (created.secret, created.record.id)
    }

    func importDataset(_ name: String, _ body: String, format: String = "jsonl") async throws -> TestResponse {
        try await request(
            .POST, "/v1/admin/eval/datasets/\(name)?format=\(format)", body: body, contentType: "application/x-ndjson")
    }

    func startRun(_ spec: [String: Any]) async throws -> TestResponse {
        let body = String(data: try JSONSerialization.data(withJSONObject: spec), encoding: .utf8)!
        return try await request(.POST, "/v1/admin/eval/runs", body: body)
    }

    /// Polls a run until it is no longer `running` (the server runs it in the background).
    func waitForRun(_ id: String, timeout: Duration = .seconds(120)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let run = try await request(.GET, "/v1/admin/eval/runs/\(id)")
            #expect(run.status == 200, "\(run.body)")
            if run.json["status"] as? String != "running" { return run.json }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("run \(id) did not end within \(timeout)")
        return [:]
    }

    /// Starts a run and waits for it; returns the run as it ended.
    func evaluate(_ spec: [String: Any]) async throws -> [String: Any] {
        let started = try await startRun(spec)
        #expect(started.status == 202, "\(started.body)")
        return try await waitForRun(try #require(started.json["id"] as? String))
    }

    func gate(candidate: String, baseline: String, require: String) async throws -> TestResponse {
        let body = String(
            data: try JSONSerialization.data(withJSONObject: [
                "candidate": candidate, "baseline": baseline,
                "require": require,
            ]), encoding: .utf8)!
        return try await request(.POST, "/v1/admin/eval/gates", body: body)
    }
}
