import PillarCore

/// A rough token count for upstreams that report no usage: about four characters a token for English,
/// plus OpenAI's per-message overhead. Turns metered this way are marked as estimated.
public enum TokenEstimate {
    public static func tokens(in text: String) -> Int {
        text.isEmpty ? 0 : max(1, (text.utf8.count + 3) / 4)
    }

    public static func promptTokens(_ request: ChatCompletionRequest) -> Int {
        request.messages.reduce(3) { total, message in
            total + 4 + tokens(in: message.content?.text ?? "")
        }
    }

    public static func usage(request: ChatCompletionRequest, completion: String) -> Usage {
        Usage(promptTokens: promptTokens(request), completionTokens: tokens(in: completion))
    }
}
