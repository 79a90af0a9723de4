import Foundation
import PillarCore
import PillarGateway
import Testing

@testable import PillarServer

/// Evaluation over HTTP: a real server and SQLite file, the simulator as answering model, embedder and judge.
@Suite struct EvaluationTests {
    /// What a test keeps of a run once its server has stopped.
    struct RunOutcome: Sendable, CustomStringConvertible {
        var id: String
        var status: String
        var done: Int
        var error: String?

        init(_ run: [String: Any]) {
            id = run["id"] as? String ?? ""
            status = run["status"] as? String ?? ""
            done = run["done"] as? Int ?? -1
            error = run["error"] as? String
        }

        var description: String { "\(id) \(status) \(done) \(error ?? "")" }
    }

    static func savePrompt(_ pillar: PillarClient, _ body: String) async throws -> Int {
        var fields = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        fields["name"] = "rag-answer"
        let saved = try await pillar.request(
            .POST, "/v1/admin/prompts",
            body: String(data: try JSONSerialization.data(withJSONObject: fields), encoding: .utf8)!)
        #expect(saved.status == 201, "\(saved.body)")
        return try #require(saved.json["version"] as? Int)
    }

    /// The shipped answer prompt saved again as a new version, so two versions differ only in quality.
    static func saveShippedAgain(_ pillar: PillarClient) async throws -> Int {
        let shipped = try await pillar.request(.GET, "/v1/admin/prompts/rag-answer/versions/1")
        let body = try #require(shipped.json["body"] as? String)
        let definition = try JSONSerialization.jsonObject(with: Data(body.utf8))
        let fields: [String: Any] = ["name": "rag-answer", "prompt": definition, "note": "the shipped prompt, again"]
        let saved = try await pillar.request(
            .POST, "/v1/admin/prompts",
            body: String(data: try JSONSerialization.data(withJSONObject: fields), encoding: .utf8)!)
        #expect(saved.status == 201, "\(saved.body)")
        return try #require(saved.json["version"] as? Int)
    }

    static func metric(_ comparison: [String: Any], _ name: String) -> [String: Any]? {
        (comparison["metrics"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    @Test func aGateRefusesTheWorsePromptPassesTheBetterAndPromotionFollowsIt() async throws {
        try await withRetrievalPillar(configure: { $0.promotion.tenantDefault.requireEval = true }) { pillar in
            try await EvaluationFixture.ingest(pillar)
            let imported = try await pillar.importDataset("colonies", EvaluationFixture.datasetJSONL)
            #expect(imported.status == 201, "\(imported.body)")
            #expect(imported.json["item_count"] as? Int == 8 && imported.json["version"] as? Int == 1)

            let worse = try await Self.savePrompt(pillar, EvaluationFixture.worsePrompt)
            let better = try await Self.saveShippedAgain(pillar)
            let worseRun = try await pillar.evaluate(["dataset": "colonies", "prompts": ["rag-answer@\(worse)"], "repeats": 2])
            let betterRun = try await pillar.evaluate(["dataset": "colonies", "prompts": ["rag-answer@\(better)"], "repeats": 2])
            #expect(worseRun["status"] as? String == "completed", "\(worseRun)")
            #expect(betterRun["status"] as? String == "completed", "\(betterRun)")
            #expect(betterRun["done"] as? Int == 16 && betterRun["total"] as? Int == 16)
            let worseID = try #require(worseRun["id"] as? String)
            let betterID = try #require(betterRun["id"] as? String)

            // The run keeps what produced it: the pinned prompt version, the flow's version, the index.
            let versions = try #require(betterRun["versions"] as? [String: Any])
            #expect((versions["flow"] as? [String: Any])?["name"] as? String == "rag")
            #expect(
                (versions["prompts"] as? [[String: Any]])?.contains {
                    $0["name"] as? String == "rag-answer" && $0["version"] as? Int == better
                } == true)
            #expect((versions["prompts"] as? [[String: Any]])?.contains { $0["name"] as? String == "judge-groundedness" } == true)
            #expect(versions["index_documents"] as? Int == 8)
            #expect((versions["configuration_digest"] as? String)?.count == 64)

            // Every result keeps its answer, citations, retrieved chunks, latency, tokens and trace.
            let results = try await pillar.request(.GET, "/v1/admin/eval/runs/\(betterID)/results")
            let rows = try #require(results.json["data"] as? [[String: Any]])
            #expect(rows.count == 16)
            let first = try #require(rows.first)
            #expect((first["answer"] as? String)?.contains("breeding pairs") == true, "\(first)")
            #expect((first["citations"] as? [[String: Any]])?.isEmpty == false)
            #expect((first["retrieved"] as? [[String: Any]])?.isEmpty == false)
            #expect(first["latency_ms"] as? Double ?? 0 > 0 && first["prompt_tokens"] as? Int ?? 0 > 0)
            let trace = try await pillar.request(.GET, "/v1/traces/\(first["trace_id"] as? String ?? "")")
            #expect(trace.status == 200, "the result's trace is the production trace of its answer")

            let comparison = try await pillar.request(.GET, "/v1/admin/eval/compare?baseline=\(worseID)&candidate=\(betterID)")
            #expect(comparison.status == 200, "\(comparison.body)")
            let recall = try #require(Self.metric(comparison.json, "citations_recall"))
            #expect(recall["baseline_mean"] as? Double == 0 && recall["candidate_mean"] as? Double == 1)
            #expect(recall["p_value"] as? Double ?? 1 < 0.05)
            #expect(Self.metric(comparison.json, "facts_recall")?["candidate_mean"] as? Double == 1)
            #expect(
                Self.metric(comparison.json, "groundedness")?["candidate_mean"] as? Double ?? 0
                    > Self.metric(comparison.json, "groundedness")?["baseline_mean"] as? Double ?? 5)

            let requirement = "groundedness>=4.0; citations_recall>=baseline-0.02; p<0.05"
            let refused = try await pillar.gate(candidate: worseID, baseline: betterID, require: requirement)
            #expect(refused.status == 200, "\(refused.body)")
            #expect((refused.json["gate"] as? [String: Any])?["passed"] as? Bool == false)
            #expect((refused.json["summary"] as? String)?.contains("citations_recall") == true, "\(refused.body)")
            let passed = try await pillar.gate(candidate: betterID, baseline: worseID, require: requirement)
            let passedGate = try #require(passed.json["gate"] as? [String: Any])
            #expect(passedGate["passed"] as? Bool == true, "\(passed.body)")

            // Under requireEval, production takes only the version a passing gate vouches for.
            let blocked = try await pillar.request(
                .PUT, "/v1/admin/prompts/rag-answer/labels/production", body: #"{"version": \#(worse)}"#)
            #expect(blocked.status == 403 && blocked.errorCode == "evaluation_required", "\(blocked.body)")
            let allowed = try await pillar.request(
                .PUT, "/v1/admin/prompts/rag-answer/labels/production", body: #"{"version": \#(better)}"#)
            #expect(allowed.status == 200, "\(allowed.body)")
            let audit = try await pillar.request(.GET, "/v1/admin/audit?limit=50")
            let events = try #require(audit.json["data"] as? [[String: Any]])
            let allowedEvent = try #require(events.first { $0["action"] as? String == "prompt.promotion_allowed" })
            let details = try #require(allowedEvent["details"] as? [String: String])
            #expect(
                details["run"] == betterID && details["gate"] == passedGate["id"] as? String && details["version"] == "\(better)")
        }
    }

    @Test func badInputGetsClearErrors() async throws {
        try await withRetrievalPillar { pillar in
            let malformed = try await pillar.importDataset("broken", #"{"id": "a", "question": "ok?"}"# + "\n{not json\n")
            #expect(malformed.status == 400 && malformed.errorCode == "invalid_dataset", "\(malformed.body)")
            #expect(malformed.body.contains("line 2"), "\(malformed.body)")
            let unknownKey = try await pillar.importDataset("broken", #"{"question": "ok?", "expected_anwser": "x"}"# + "\n")
            #expect(unknownKey.status == 400 && unknownKey.body.contains("expected_anwser"), "\(unknownKey.body)")
            let missing = try await pillar.request(.GET, "/v1/admin/eval/datasets/broken")
            #expect(missing.status == 404, "nothing of a refused import is kept")

            #expect(try await pillar.importDataset("tiny", #"{"question": "What is a gannet?"}"# + "\n").status == 201)
            let unknownMetric = try await pillar.startRun(["dataset": "tiny", "metrics": ["groundedness", "vibes"]])
            #expect(unknownMetric.status == 400 && unknownMetric.errorCode == "unknown_metric", "\(unknownMetric.body)")
            #expect(unknownMetric.body.contains("vibes"))
            let badRepeat = try await pillar.startRun(["dataset": "tiny", "repeats": 0])
            #expect(badRepeat.status == 400, "\(badRepeat.body)")
            let noDataset = try await pillar.startRun(["dataset": "nope"])
            #expect(noDataset.status == 404, "\(noDataset.body)")
            let badFlow = try await pillar.startRun(["dataset": "tiny", "flow": "rag@nolabel!"])
            #expect(badFlow.status == 400, "\(badFlow.body)")
            let badScorers = try await pillar.startRun([
                "dataset": "tiny", "scorers": "scorers:\n  - {name: x, kind: regex, pattern: '('}\n",
            ])
            #expect(badScorers.status == 400 && badScorers.errorCode == "invalid_scorers", "\(badScorers.body)")
            let badGate = try await pillar.gate(candidate: "run_x", baseline: "run_y", require: "groundedness >> 4")
            #expect(badGate.status == 400 && badGate.errorCode == "invalid_requirement", "\(badGate.body)")
            let gateMessage = (badGate.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(
                gateMessage.hasPrefix("clause 1 `groundedness >> 4`: expected"), "a sentence, not a debug dump: \(gateMessage)")
            let user = try await pillar.newKey()
            let forbidden = try await pillar.request(.GET, "/v1/admin/eval/datasets", key: user)
            #expect(forbidden.status == 403, "evaluation is for the tenant's admins")
        }
    }

    @Test func aJudgeOffItsRubricLeavesItsMetricEmptyAndSaysWhy() async throws {
        var behaviour = fastSimulator
        behaviour.judgeScore = 7
        try await withSimulator(behaviour) { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port, models: ["sim", "sim-embed"])],
                configure: { $0.retrieval.embeddingModel = "sim-embed" }
            ) { pillar in
                try await EvaluationFixture.ingest(pillar)
                #expect(try await pillar.importDataset("colonies", EvaluationFixture.datasetJSONL).status == 201)
                let run = try await pillar.evaluate(["dataset": "colonies", "metrics": ["groundedness", "citations_recall"]])
                #expect(run["status"] as? String == "completed", "an off-rubric judge is the judge's failure, not the run's")
                let results = try await pillar.request(.GET, "/v1/admin/eval/runs/\(run["id"] as? String ?? "")/results")
                let rows = try #require(results.json["data"] as? [[String: Any]])
                #expect(rows.count == 8)
                for row in rows {
                    let grounded = try #require((row["scores"] as? [String: Any])?["groundedness"] as? [String: Any])
                    #expect(grounded["value"] == nil || grounded["value"] is NSNull)
                    #expect((grounded["error"] as? String)?.contains("judge_off_rubric") == true, "\(grounded)")
                }
                let report = try await pillar.request(.GET, "/v1/admin/eval/runs/\(run["id"] as? String ?? "")/report")
                #expect(report.status == 200 && report.body.contains("judge_off_rubric"), "\(report.body)")
            }
        }
    }

    @Test func aModelFailingMidRunEndsTheRunFailedAndResumeFinishesIt() async throws {
        // Every second chat call fails and the gateway does not retry: half the answers cannot be had. (The
        // embeddings come from a healthy simulator of their own.)
        var behaviour = fastSimulator
        behaviour.fault = .status(500, retryAfterSeconds: nil)
        behaviour.faultRate = 0.5
        let faulty = behaviour
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        @Sendable func deployments(embed: Int, chat: Int) -> [PillarConfiguration.Deployment] {
            [
                simulatorDeployment("embed", port: embed, models: ["sim-embed"]),
                simulatorDeployment("sim", port: chat, models: ["sim"]),
            ]
        }
        let failed: RunOutcome = try await withSimulator { embed in
            try await withSimulator(faulty) { chat in
                try await withPillar(
                    deployments: deployments(embed: embed, chat: chat),
                    configure: { configuration in
                        configuration.retrieval.embeddingModel = "sim-embed"
                        configuration.gateway.maxAttempts = 1
                        configuration.gateway.breakerMinimumCalls = 1000
                    }, dataDirectory: directory
                ) { pillar in
                    try await EvaluationFixture.ingest(pillar)
                    #expect(try await pillar.importDataset("colonies", EvaluationFixture.datasetJSONL).status == 201)
                    return RunOutcome(
                        try await pillar.evaluate([
                            "dataset": "colonies", "metrics": ["citations_recall"],
                            "concurrency": 1,
                        ]))
                }
            }
        }
        #expect(failed.status == "failed", "\(failed)")
        #expect(failed.error?.contains("Resume") == true, "\(failed)")
        #expect(failed.done > 0 && failed.done < 8, "\(failed)")
        // The same data directory, now with a healthy model: resume asks only what is missing.
        let resumed: RunOutcome = try await withSimulator { port in
            try await withPillar(
                deployments: deployments(embed: port, chat: port),
                configure: { $0.retrieval.embeddingModel = "sim-embed" }, dataDirectory: directory
            ) { pillar in
                let started = try await pillar.request(.POST, "/v1/admin/eval/runs/\(failed.id)/resume")
                #expect(started.status == 202, "\(started.body)")
                let ended = try await pillar.waitForRun(failed.id)
                let results = try await pillar.request(.GET, "/v1/admin/eval/runs/\(failed.id)/results")
                let rows = try #require(results.json["data"] as? [[String: Any]])
                let keys = Set(rows.map { "\($0["item_id"] ?? "")/\($0["repeat"] ?? "")" })
                #expect(rows.count == 8 && keys.count == 8, "each answer once: \(keys)")
                return RunOutcome(ended)
            }
        }
        #expect(resumed.status == "completed" && resumed.done == 8, "\(resumed)")
    }

    @Test func aCancelledRunSaysSoAndResumeFinishesIt() async throws {
        let slow = SimulatorBehaviour(timeToFirstToken: .milliseconds(150), tokensPerSecond: 5000)
        try await withSimulator(slow) { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port, models: ["sim", "sim-embed"])],
                configure: { $0.retrieval.embeddingModel = "sim-embed" }
            ) { pillar in
                try await EvaluationFixture.ingest(pillar)
                #expect(try await pillar.importDataset("colonies", EvaluationFixture.datasetJSONL).status == 201)
                let started = try await pillar.startRun([
                    "dataset": "colonies", "metrics": ["citations_recall"], "concurrency": 1,
                ])
                let id = try #require(started.json["id"] as? String)
                while try await pillar.request(.GET, "/v1/admin/eval/runs/\(id)").json["done"] as? Int ?? 0 < 1 {
                    try await Task.sleep(for: .milliseconds(20))
                }
                let cancelled = try await pillar.request(.POST, "/v1/admin/eval/runs/\(id)/cancel")
                #expect(cancelled.status == 200, "\(cancelled.body)")
                #expect(cancelled.json["status"] as? String == "cancelled", "\(cancelled.body)")
                let stored = try await pillar.request(.GET, "/v1/admin/eval/runs/\(id)")
                #expect(stored.json["status"] as? String == "cancelled", "the stored run says how it ended: \(stored.body)")
                let done = try #require(stored.json["done"] as? Int)
                #expect(done >= 1 && done < 8)
                let again = try await pillar.request(.POST, "/v1/admin/eval/runs/\(id)/cancel")
                #expect(again.status == 400 && again.errorCode == "run_not_running")
                #expect(try await pillar.request(.POST, "/v1/admin/eval/runs/\(id)/resume").status == 202)
                let ended = try await pillar.waitForRun(id)
                #expect(ended["status"] as? String == "completed" && ended["done"] as? Int == 8, "\(ended)")
                let finished = try await pillar.request(.POST, "/v1/admin/eval/runs/\(id)/resume")
                #expect(finished.status == 400 && finished.errorCode == "run_complete")
            }
        }
    }

    @Test func evaluationSpendsItsOwnBudgetAndStopsCleanlyWhenItIsSpent() async throws {
        try await withRetrievalPillar(configure: { configuration in
            configuration.evaluation.budgetDefault = UsageLimits(tokensPerDay: 10_000)
            configuration.limits.tenantDefault = UsageLimits(tokensPerDay: 100_000)
        }) { pillar in
            try await EvaluationFixture.ingest(pillar)
            #expect(try await pillar.importDataset("colonies", EvaluationFixture.datasetJSONL).status == 201)
            let run = try await pillar.evaluate(["dataset": "colonies", "repeats": 3, "concurrency": 1])
            #expect(run["status"] as? String == "budget_exhausted", "\(run)")
            #expect((run["error"] as? String)?.contains("budget") == true)
            let done = try #require(run["done"] as? Int)
            #expect(done > 0 && done < 24)
            let results = try await pillar.request(.GET, "/v1/admin/eval/runs/\(run["id"] as? String ?? "")/results")
            #expect((results.json["data"] as? [Any])?.count == done, "the progress is exactly the results saved")
            // Users still have their own budget, and their usage is shown apart from evaluation's.
            #expect(try await pillar.ask("How many breeding pairs does the puffin colony on Skomer have?").status == 200)
            let usage = try await pillar.request(.GET, "/v1/admin/usage?group_by=purpose")
            let groups = try #require(usage.json["data"] as? [[String: Any]])
            #expect(Set(groups.compactMap { $0["group"] as? String }) == ["evaluation", "user"], "\(usage.body)")
        }
    }

    @Test func datasetsComeFromConsentingUsersFeedbackAndRoundTrip() async throws {
        try await withRetrievalPillar { pillar in
            try await EvaluationFixture.ingest(pillar)
            let (sharing, sharingSubject) = try await pillar.newKeyWithSubject()
            let private_ = try await pillar.newKey()
            #expect(
                try await pillar.request(.PUT, "/v1/me/consent", key: sharing, body: #"{"share_conversations": true}"#).status
                    == 200)
            for (key, rating) in [(sharing, 5), (private_, 1)] {
                let answer = try await pillar.ask("How many breeding pairs does the tern colony on Farne have?", key: key)
                let trace = try #require(answer.json["trace_id"] as? String)
                let feedback = try await pillar.request(
                    .POST, "/v1/feedback", key: key,
                    body: #"{"trace_id": "\#(trace)", "rating": \#(rating), "include_conversation": true}"#)
                #expect(feedback.status == 201, "\(feedback.body)")
            }
            let made = try await pillar.request(
                .POST, "/v1/admin/eval/datasets/production/from-traces", body: #"{"selection": "feedback"}"#)
            #expect(made.status == 201, "\(made.body)")
            #expect(made.json["item_count"] as? Int == 1, "only the consenting user's conversation: \(made.body)")
            let shown = try await pillar.request(.GET, "/v1/admin/eval/datasets/production?items=true")
            let item = try #require((shown.json["items"] as? [[String: Any]])?.first)
            #expect(item["question"] as? String == "How many breeding pairs does the tern colony on Farne have?")
            #expect((item["human"] as? [String: Any])?["rating"] as? Int == 5)
            #expect((item["expected_answer"] as? String)?.contains("two thousand") == true)

            // Export and import again give the same items, in JSONL and in CSV.
            for format in ["jsonl", "csv"] {
                let exported = try await pillar.request(.GET, "/v1/admin/eval/datasets/production/export?format=\(format)")
                #expect(exported.status == 200, "\(exported.body)")
                let again = try await pillar.importDataset("copy-\(format)", exported.body, format: format)
                #expect(again.status == 201, "\(again.body)")
                let copy = try await pillar.request(.GET, "/v1/admin/eval/datasets/copy-\(format)?items=true")
                #expect((copy.json["items"] as? [[String: Any]])?.first?["question"] as? String == item["question"] as? String)
            }

            // Erasing the person removes the item made from their conversation.
            #expect(try await pillar.request(.POST, "/v1/admin/subjects/\(sharingSubject)/erasure").status == 200)
            let after = try await pillar.request(.GET, "/v1/admin/eval/datasets/production?items=true")
            #expect((after.json["items"] as? [Any])?.isEmpty == true, "\(after.body)")
        }
    }
}
