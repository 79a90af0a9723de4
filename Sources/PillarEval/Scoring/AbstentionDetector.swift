import PillarCore

/// Tells whether an answer declines to answer: a refusal, an empty answer, or one that says the documents
/// hold no answer ("the documents available to you do not say", "I don't know", "no information").
/// Phrases are compared as whole normalised tokens, so "unknown" is not "know".
public enum AbstentionDetector {
    /// Phrases that say there is no answer, as they read once normalised ("don't" is "dont").
    public static let phrases: [String] = [
        "do not say", "does not say", "dont say", "doesnt say",
        "do not know", "dont know", "does not know",
        "no information", "not enough information", "no relevant information", "insufficient information",
        "cannot find", "can not find", "cant find", "could not find", "couldnt find", "unable to find",
        "not mentioned", "do not mention", "does not mention",
        "do not contain", "does not contain", "dont contain", "doesnt contain",
        "unable to answer", "cannot answer", "cant answer", "not able to answer",
    ]

    static let phraseTokens: [[String]] = phrases.map(AnswerText.tokens)

    /// Whether the answer abstains. A refusal abstains; so does an answer with no words.
    public static func abstains(answer: String, status: EvalResult.Status) -> Bool {
        if status == .refused { return true }
        let tokens = AnswerText.tokens(AnswerText.removingCitationMarkers(answer))
        if tokens.isEmpty { return true }
        return phraseTokens.contains { AnswerMetrics.containsRun($0, in: tokens) }
    }
}
