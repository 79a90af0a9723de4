import PillarCore

/// A rough token count, about four characters a token for English plus OpenAI's per-message overhead: what
/// `TokenCounter` falls back to without the tokenizers' rank files, and what the simulator reports.
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
