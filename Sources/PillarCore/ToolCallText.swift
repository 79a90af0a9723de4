/// The text of an answer's tool calls that the model wrote: each function's name and arguments, in order, for
/// counting completion tokens when the upstream reports no usage. A tool call is output the caller pays for as
/// much as text is.
public enum ToolCallText {
    /// From a message's or a delta's fields: `tool_calls` (a list of `{function: {name, arguments}}`, or in a
    /// stream the pieces of one) and the older `function_call`.
    public static func of(_ fields: [String: JSONValue]) -> String {
        var text = ""
        func add(_ call: JSONValue) {
            guard case .object(let object) = call else { return }
            let function: [String: JSONValue]
            if case .object(let inner)? = object["function"] { function = inner } else { function = object }
            if let name = function["name"]?.stringValue { text += name }
            if let arguments = function["arguments"]?.stringValue { text += arguments }
        }
        if case .array(let calls)? = fields["tool_calls"] { calls.forEach(add) }
        if let call = fields["function_call"] { add(call) }
        return text
    }
}

extension ChatCompletionChunk {
    /// The pieces of tool calls in this chunk, as text.
    public var toolCallDelta: String { choices.map { ToolCallText.of($0.delta.extra) }.joined() }
}

extension ChatCompletion {
    /// The first choice's tool calls, as text.
    public var toolCallText: String { choices.first.map { ToolCallText.of($0.message.extra) } ?? "" }
}
