import Foundation
import PillarCore
import PillarGateway
import Testing

@testable import PillarServer

/// The shipped RAG flow over HTTP: a real server, a real SQLite file, the simulator as chat and embedding
/// model (it answers a RAG prompt by quoting the best-matching numbered source with its marker).
@Suite struct GroundedChatTests {
    @Test func answersWithCitationsThatMapToTheRightChunkAndSource() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            #expect(
                try await pillar.ingest([
                    "source": "menu.txt", "title": "Canteen",
                    "content": "The canteen serves soup on Mondays and fish on Fridays.",
                ]).status == 201)
            let response = try await pillar.ask("Within how many days must hotel receipts be filed?")
            #expect(response.status == 200, "\(response.body)")
            let answer = try #require(response.json["answer"] as? String)
            #expect(answer.contains("Hotel receipts must be filed within thirty days."), "\(answer)")
            let citations = try #require(response.json["citations"] as? [[String: Any]])
            let cited = try #require(citations.first)
            let marker = try #require(cited["marker"] as? Int)
            #expect(answer.contains("[\(marker)]"))
            #expect(cited["source_uri"] as? String == "handbook.md")
            #expect((cited["text"] as? String)?.contains("Hotel receipts") == true)
            #expect((cited["heading_path"] as? [String])?.last == "Expenses")
            #expect(response.json["grounded"] as? Bool == true)
            let prompt = try #require(response.json["prompt"] as? [String: Any])
            #expect(
                prompt["name"] as? String == "rag-answer" && prompt["version"] as? Int == 1
                    && prompt["label"] as? String == "production")
            #expect((response.json["flow"] as? [String: Any])?["name"] as? String == "rag")

            // The chunk a citation names is a real chunk: search finds it with the same id and lineage.
            let search = try await pillar.search("hotel receipts filed", mode: "keyword")
            #expect(search.results.contains { ($0["chunk_id"] as? Int) == (cited["chunk_id"] as? Int) })

            // The trace tells the whole story.
            let traceID = try #require(response.json["trace_id"] as? String)
            let trace = try await pillar.request(.GET, "/v1/traces/\(traceID)")
            #expect(trace.status == 200, "\(trace.body)")
            #expect(trace.json["standalone_query"] as? String == "Within how many days must hotel receipts be filed?")
            let retrieved = try #require(trace.json["retrieved"] as? [[String: Any]])
            #expect(retrieved.contains { $0["chunk_id"] as? Int == cited["chunk_id"] as? Int && $0["score"] is Double })
            let nodes = try #require(trace.json["nodes"] as? [[String: Any]])
            let byName = Dictionary(uniqueKeysWithValues: nodes.map { ($0["name"] as! String, $0) })
            #expect(byName["condense"]?["status"] as? String == "skipped", "no history, nothing to condense")
            #expect(byName["no_answer"]?["status"] as? String == "skipped")
            let answerNode = try #require(byName["answer"])
            #expect(answerNode["status"] as? String == "succeeded")
            #expect(answerNode["deployment"] as? String == "sim")
            #expect((answerNode["prompt"] as? [String: Any])?["version"] as? Int == 1)
            #expect((answerNode["usage"] as? [String: Any])?["prompt_tokens"] as? Int ?? 0 > 0)
            #expect(nodes.allSatisfy { $0["duration_ms"] is Double && $0["start_ms"] is Double })
            #expect((trace.json["guards"] as? [[String: Any]])?.first?["passed"] as? Bool == true)
            #expect(trace.json["cited_markers"] as? [Int] == [marker])
        }
    }

    @Test func saysTheDocumentsDoNotSayWhenNothingRelevantIsFound() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            let response = try await pillar.ask("Qwertyuiop zxcvbnm?")
            #expect(response.status == 200, "\(response.body)")
            #expect((response.json["answer"] as? String)?.hasPrefix("The documents available to you do not say.") == true)
            #expect(response.json["grounded"] as? Bool == false)
            #expect((response.json["citations"] as? [Any])?.isEmpty == true)
            #expect(response.json["prompt"] is NSNull || response.json["prompt"] == nil, "no model was asked")
            let trace = try await pillar.request(.GET, "/v1/traces/\(response.json["trace_id"] as? String ?? "")")
            let nodes = trace.json["nodes"] as? [[String: Any]] ?? []
            #expect(nodes.first { $0["name"] as? String == "answer" }?["status"] as? String == "skipped")
            #expect(nodes.first { $0["name"] as? String == "grounded" }?["note"] as? String == "chose 'no_answer'")
        }
    }

    @Test func aFollowUpIsCondensedWithTheConversationsHistory() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            let first = try await pillar.ask("Which class is the rule for flights under six hours?")
            let conversation = try #require(first.json["conversation_id"] as? String)
            let second = try await pillar.ask(
                "And within how many days must hotel receipts be filed?", conversation: conversation)
            #expect(second.status == 200, "\(second.body)")
            #expect(second.json["conversation_id"] as? String == conversation)
            let trace = try await pillar.request(.GET, "/v1/traces/\(second.json["trace_id"] as? String ?? "")")
            let condense = (trace.json["nodes"] as? [[String: Any]])?.first { $0["name"] as? String == "condense" }
            #expect(condense?["status"] as? String == "succeeded", "\(trace.body)")
            #expect((condense?["prompt"] as? [String: Any])?["name"] as? String == "rag-condense")
            #expect((condense?["usage"] as? [String: Any])?["prompt_tokens"] as? Int ?? 0 > 20, "the history reached the model")
            #expect(trace.json["conversation_id"] as? String == conversation)

            let stored = try await pillar.request(.GET, "/v1/conversations/\(conversation)")
            let messages = try #require(stored.json["messages"] as? [[String: Any]])
            #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "user", "assistant"])
            #expect((messages[3]["citations"] as? [[String: Any]])?.isEmpty == false)
            #expect(messages[3]["trace_id"] as? String == second.json["trace_id"] as? String)
        }
    }

    @Test func streamsContextThenDeltasThenTheWholeAnswer() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            let response = try await pillar.ask("What is the per diem for meals?", stream: true)
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/event-stream")
            let events = response.namedEvents
            #expect(events.first?.name == "context")
            #expect(events.last?.name == "done", "\(response.body)")
            let sources = try #require(events.first?.data["sources"] as? [[String: Any]])
            #expect(!sources.isEmpty)
            let streamed = events.filter { $0.name == "delta" }.compactMap { $0.data["content"] as? String }.joined()
            let done = try #require(events.last?.data)
            #expect(streamed == done["answer"] as? String)
            #expect(streamed.contains("The per diem for meals is forty euros."))
            #expect(events.first?.data["trace_id"] as? String == done["trace_id"] as? String)
        }
    }

    @Test func theOpenAIRouteServesFlowsWithAzureStyleCitations() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
            let models = try await pillar.request(.GET, "/v1/models")
            #expect((models.json["data"] as? [[String: Any]])?.contains { $0["id"] as? String == "pillar:rag" } == true)

            let whole = try await pillar.chat("Who books flights?", model: "pillar:rag")
            #expect(whole.status == 200, "\(whole.body)")
            let choice = try #require((whole.json["choices"] as? [[String: Any]])?.first)
            let message = try #require(choice["message"] as? [String: Any])
            let text = try #require(message["content"] as? String)
            #expect(text.contains("Employees book flights through the travel desk."))
            let citations = try #require((message["context"] as? [String: Any])?["citations"] as? [[String: Any]])
            let cited = try #require((whole.json["pillar"] as? [String: Any])?["cited"] as? [Int])
            #expect(!cited.isEmpty)
            for marker in cited {
                #expect(text.contains("[\(marker)]"))
                #expect(citations.contains { $0["marker"] as? Int == marker && $0["source_uri"] as? String == "handbook.md" })
            }
            let traceID = try #require((whole.json["pillar"] as? [String: Any])?["trace_id"] as? String)
            #expect(try await pillar.request(.GET, "/v1/traces/\(traceID)").status == 200)

            let streamed = try await pillar.chat("Who books flights?", model: "pillar:rag", stream: true)
            #expect(streamed.status == 200)
            #expect(streamed.events.last == "[DONE]")
            #expect(streamed.streamedText == text)
            #expect(streamed.events.first?.contains("\"context\"") == true)

            let unknown = try await pillar.chat("hi", model: "pillar:nope")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "not_found")
        }
    }

    @Test func aStreamThatFailsMidAnswerEndsWithAnErrorAndLeavesNoEmptyConversation() async throws {
        let cutting = SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 5000, fault: .cutAfter(tokens: 3))
        try await withSimulator(cutting) { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port, models: ["sim", "sim-embed"])],
                configure: { $0.retrieval.embeddingModel = "sim-embed" }
            ) { pillar in
                #expect(try await pillar.ingest(["source": "handbook.md", "content": handbook]).status == 201)
                let response = try await pillar.ask("Who books flights through the travel desk?", stream: true)
                #expect(response.status == 200)
                let events = response.namedEvents
                #expect(events.first?.name == "context")
                #expect(events.last?.name == "error", "\(response.body)")
                #expect(!events.contains { $0.name == "done" })
                var remaining = -1
                for _ in 0..<50 {
                    remaining = (try await pillar.request(.GET, "/v1/conversations").json["data"] as? [Any])?.count ?? -1
                    if remaining == 0 { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(remaining == 0, "the failed first answer left its conversation behind")
            }
        }
    }

    @Test func badInputGetsClearErrors() async throws {
        try await withRetrievalPillar { pillar in
            #expect(try await pillar.ask("   ").errorCode == "invalid_request")
            #expect(try await pillar.ask(String(repeating: "a", count: 32_001)).status == 400)
            #expect(try await pillar.ask("hi", conversation: "conv_nope").status == 404)
            #expect(try await pillar.ask("hi", flow: "Bad Name!").status == 400)
            #expect(try await pillar.ask("hi", flow: "missing").status == 404)
            #expect(try await pillar.ask("hi", label: "10").status == 400)
            let blocked = try await pillar.ask(String(repeating: "long ", count: 1_700))
            #expect(blocked.status == 400)
            #expect(blocked.errorCode == "guard_blocked", "\(blocked.body)")
            // A refused first message leaves no empty conversation behind.
            let listed = try await pillar.request(.GET, "/v1/conversations")
            #expect((listed.json["data"] as? [Any])?.isEmpty == true, "\(listed.body)")
        }
    }
}
