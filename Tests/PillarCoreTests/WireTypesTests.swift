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

    @Test(arguments: ["", "UPPER", "has space", "dot.ted", String(repeating: "a", count: 65)])
    func refusesUnsafeTenantIDs(id: String) {
        #expect(!Tenant.isValidID(id))
    }
}
