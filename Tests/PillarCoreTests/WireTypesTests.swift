import Foundation
import Testing

@testable import PillarCore

@Suite struct WireTypesTests {
    func roundTrip<T: Codable>(_ type: T.Type, _ json: String) throws -> [String: JSONValue] {
        let value = try JSONDecoder().decode(T.self, from: Data(json.utf8))
        let encoded = try JSONEncoder().encode(value)
        guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: encoded) else { return [:] }
        return object
    }

    @Test func requestsKeepFieldsPillarDoesNotRead() throws {
        let object = try roundTrip(
            ChatCompletionRequest.self,
            #"""
            {"model": "m", "messages": [{"role": "assistant", "content": null, "tool_calls": [{"id": "c1"}]}],
             "tools": [{"type": "function"}], "response_format": {"type": "json_object"}, "seed": 7}
            """#)
        #expect(object["seed"] == .number(7))
        #expect(object["tools"] == .array([.object(["type": .string("function")])]))
        guard case .array(let messages)? = object["messages"], case .object(let message) = messages[0] else {
            Issue.record("messages lost")
            return
        }
        #expect(message["tool_calls"] != nil)
        #expect(message["content"] == .null)
    }

    @Test func completionsAndChunksKeepFieldsPillarDoesNotRead() throws {
        let completion = try roundTrip(
            ChatCompletion.self,
            #"""
            {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "system_fingerprint": "fp_1",
             "prompt_filter_results": [], "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"},
             "finish_reason": "stop", "logprobs": {"content": []}, "content_filter_results": {"hate": {"filtered": false}}}]}
            """#)
        #expect(completion["system_fingerprint"] == .string("fp_1"))
        #expect(completion["prompt_filter_results"] == .array([]))
        guard case .array(let choices)? = completion["choices"], case .object(let choice) = choices[0] else {
            Issue.record("choices lost")
            return
        }
        #expect(choice["logprobs"] != nil)
        #expect(choice["content_filter_results"] != nil)

        let chunk = try roundTrip(
            ChatCompletionChunk.self,
            #"""
            {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m", "system_fingerprint": "fp_2",
             "choices": [{"index": 0, "delta": {"content": "a", "tool_calls": []}, "logprobs": null, "finish_reason": null}]}
            """#)
        #expect(chunk["system_fingerprint"] == .string("fp_2"))
    }

    @Test func contentPartsJoinTheirText() throws {
        let message = try JSONDecoder().decode(
            ChatMessage.self,
            from: Data(
                #"""
                {"role": "user", "content": [{"type": "text", "text": "one"}, {"type": "image_url", "image_url": {"url": "x"}}, {"type": "text", "text": "two"}]}
                """#.utf8))
        #expect(message.content?.text == "one\ntwo")
    }

    /// The records the API serves name their keys in snake_case, the records nested in them too.
    @Test func recordsTheAPIServesHaveSnakeCaseKeys() throws {
        func allKeys(_ value: JSONValue) -> [String] {
            switch value {
            case .object(let object): return Array(object.keys) + object.values.flatMap(allKeys)
            case .array(let items): return items.flatMap(allKeys)
            default: return []
            }
        }
        func keys(of value: some Encodable) throws -> [String] {
            try allKeys(JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value)))
        }
        let turn = TurnRecord(
            id: "turn_1", tenant: "default", subject: "key_1", model: "m", deployment: "d", status: .failed,
            errorCode: "upstream_timeout", streamed: true, promptTokens: 1, completionTokens: 2, usageEstimated: true,
            attempts: 2, costUSD: 0.5, latencyMs: 3, timeToFirstTokenMs: 4, traceID: "tr_1", createdAt: 5, attemptOf: "turn_0")
        let turnKeys = Set(try keys(of: turn))
        #expect(
            turnKeys == [
                "id", "tenant", "subject", "model", "deployment", "status", "error_code", "streamed", "prompt_tokens",
                "completion_tokens", "usage_estimated", "attempts", "cost_usd", "latency_ms", "time_to_first_token_ms",
                "trace_id", "created_at", "attempt_of",
            ])
        let message = ConversationMessage(id: "m_1", role: .user, content: "q", traceID: "tr_1", createdAt: 1)
        let records: [any Encodable] = [
            APIKeyRecord(
                id: "key_1", tenant: "default", name: "n", role: .admin, prefix: "pk-", createdAt: 1, revokedAt: 2,
                lastUsedAt: 3),
            UsageRow(
                group: "m", requests: 1, failed: 0, promptTokens: 1, completionTokens: 2, costUSD: 0.1,
                interruptedAttempts: 1),
            AuditEvent(
                seq: 1, at: 1, tenant: "default", actor: "a", action: "key.create", target: "key_1",
                details: ["name": "n"], previousHash: "0", hash: "1"),
            FeedbackRecord(
                id: "fb_1", tenant: "default", subject: "key_1", traceID: "tr_1", rating: 5, comment: "c",
                conversation: [message], createdAt: 2),
            LibraryEntry(
                name: "rag", latestVersion: 2,
                labels: [
                    LibraryLabel(
                        label: "production", split: [WeightedVersion(version: 2, weight: 100)], updatedBy: "u",
                        updatedAt: 1)
                ]),
        ]
        for record in records {
            let camel = try keys(of: record).filter { $0 != $0.lowercased() }
            #expect(camel.isEmpty, "\(type(of: record)): \(camel)")
        }
    }

    @Test(arguments: ["", "UPPER", "has space", "dot.ted", String(repeating: "a", count: 65)])
    func refusesUnsafeTenantIDs(id: String) {
        #expect(!Tenant.isValidID(id))
    }
}
