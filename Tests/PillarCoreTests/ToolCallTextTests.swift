import Foundation
import PillarCore
import Testing

/// The text of tool calls that completion tokens are counted from when an upstream reports no usage.
@Suite struct ToolCallTextTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test func aWholeAnswersParallelCallsAreCountedInOrder() throws {
        let completion = try decode(
            ChatCompletion.self,
            #"""
            {"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": [{"index": 0,
             "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null, "tool_calls": [
              {"id": "a", "type": "function", "function": {"name": "weather", "arguments": "{\"city\": \"Oslo\"}"}},
              {"id": "b", "type": "function", "function": {"name": "time", "arguments": "{}"}}]}}]}
            """#)
        #expect(completion.toolCallText == #"weather{"city": "Oslo"}time{}"#)
        #expect(completion.text == "")
    }

    @Test func aStreamsPiecesJoinIntoTheWholeCall() throws {
        let pieces = [
            #"{"index": 0, "id": "a", "type": "function", "function": {"name": "lookup", "arguments": ""}}"#,
            #"{"index": 0, "function": {"arguments": "{\"qu"}}"#,
            #"{"index": 0, "function": {"arguments": "ery\": \"x\"}"}}"#,
        ]
        let text = try pieces.map { piece in
            try decode(
                ChatCompletionChunk.self,
                #"{"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"tool_calls": ["#
                    + piece + "]}}]}"
            ).toolCallDelta
        }.joined()
        #expect(text == #"lookup{"query": "x"}"#)
    }

    @Test func theOlderFunctionCallAndNullPlaceholdersToo() throws {
        #expect(
            ToolCallText.of(["function_call": .object(["name": .string("f"), "arguments": .string("{}")])]) == "f{}")
        #expect(ToolCallText.of(["tool_calls": .null, "function_call": .null]) == "")
    }
}
