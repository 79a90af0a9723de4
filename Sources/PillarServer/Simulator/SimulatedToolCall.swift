import PillarCore

/// The simulator's scripted tool call: one call of `lookup` whose JSON arguments are split into a number of
/// stream deltas, the first carrying the call's id, type and name, as OpenAI streams them.
struct SimulatedToolCall: Sendable {
    static let id = "call_sim_0"
    static let name = "lookup"
    /// `{"query": "…"}` with a query long enough to be cut into the pieces asked for.
    let arguments: String
    /// One `tool_calls` delta value per piece.
    let pieces: [JSONValue]

    init(pieces count: Int) {
        let query = String(repeating: "x", count: max(count, 1) * 4)
        arguments = #"{"query": ""# + query + #""}"#
        let characters = Array(arguments)
        let size = (characters.count + count - 1) / count
        pieces = (0..<count).map { index in
            let start = min(index * size, characters.count)
            let part = String(characters[start..<min(start + size, characters.count)])
            var call: [String: JSONValue] = ["index": .number(0), "function": .object(["arguments": .string(part)])]
            if index == 0 {
                call["id"] = .string(Self.id)
                call["type"] = .string("function")
                call["function"] = .object(["name": .string(Self.name), "arguments": .string(part)])
            }
            return .array([.object(call)])
        }
    }

    /// The whole call, for a request that is not streamed.
    var message: ChatMessage {
        ChatMessage(
            role: "assistant", content: nil,
            extra: [
                "tool_calls": .array([
                    .object([
                        "id": .string(Self.id), "type": .string("function"),
                        "function": .object(["name": .string(Self.name), "arguments": .string(arguments)]),
                    ])
                ])
            ])
    }
}
