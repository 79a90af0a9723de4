/// Metrics of an answer's text against the item's reference: SQuAD's exact match and token F1, and the share
/// of expected facts stated. Inputs are raw text; each function normalises with `AnswerText`.
public enum AnswerMetrics {
    /// 1 when the normalised texts are equal, else 0.
    public static func exactMatch(answer: String, expected: String) -> Double {
        AnswerText.normalized(answer) == AnswerText.normalized(expected) ? 1 : 0
    }

    /// SQuAD's token F1: the harmonic mean of precision and recall of the shared tokens (as multisets). When
    /// either side has no tokens, 1 if both have none, else 0 (as SQuAD v2 scores empty answers).
    public static func tokenF1(answer: String, expected: String) -> Double {
        let answerTokens = AnswerText.tokens(answer)
        let expectedTokens = AnswerText.tokens(expected)
        if answerTokens.isEmpty || expectedTokens.isEmpty {
            return answerTokens.isEmpty && expectedTokens.isEmpty ? 1 : 0
        }
        var remaining: [String: Int] = [:]
        for token in expectedTokens { remaining[token, default: 0] += 1 }
        var shared = 0
        for token in answerTokens {
            if let count = remaining[token], count > 0 {
                shared += 1
                remaining[token] = count - 1
            }
        }
        guard shared > 0 else { return 0 }
        let precision = Double(shared) / Double(answerTokens.count)
        let recall = Double(shared) / Double(expectedTokens.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// The share of `facts` whose normalised tokens occur, in order and adjacent, among the answer's
    /// normalised tokens: "10 days" is in "within 10 days of", not in "110 days". Facts with no tokens once
    /// normalised ("the") say nothing and are left out; nil when no fact is left.
    public static func factsRecall(answer: String, facts: [String]) -> Double? {
        let answerTokens = AnswerText.tokens(answer)
        let factTokens = facts.map(AnswerText.tokens).filter { !$0.isEmpty }
        guard !factTokens.isEmpty else { return nil }
        let stated = factTokens.filter { containsRun($0, in: answerTokens) }.count
        return Double(stated) / Double(factTokens.count)
    }

    static func containsRun(_ run: [String], in tokens: [String]) -> Bool {
        guard run.count <= tokens.count else { return false }
        for start in 0...(tokens.count - run.count) where tokens[start] == run[0] {
            if tokens[start..<(start + run.count)].elementsEqual(run) { return true }
        }
        return false
    }
}
