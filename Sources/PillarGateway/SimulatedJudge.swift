import Foundation

/// How the simulator plays an evaluation judge, so that gates can be tested end to end without a model: a
/// prompt laid out as Pillar's judge prompts are (`Criterion:`, then `Question:`, `Context:`, `Answer:` and
/// `Reference answer:` sections) gets `{"score": n, "reason": …}` back. The score is the one forced (flag or
/// `x-sim-judge-score`; outside 1-5 it plays a judge answering off its rubric), or else follows word overlap,
/// deterministically: groundedness is the share of the answer's words found in the context, relevance the
/// share of the question's words the answer takes up, correctness the token F1 with the reference answer,
/// coherence how much of a sentence the answer is.
enum SimulatedJudge {
    static let criterionCue = "Criterion:"
    static let sectionNames = ["Question:", "Context:", "Answer:", "Reference answer:"]

    static func reply(to prompt: String, forcedScore: Int?) -> String? {
        guard prompt.hasPrefix(criterionCue) else { return nil }
        let lines = prompt.components(separatedBy: "\n")
        let criterion = lines[0].dropFirst(criterionCue.count).trimmingCharacters(in: .whitespaces)
        var sections: [String: [String]] = [:]
        var current: String?
        for line in lines.dropFirst() {
            if sectionNames.contains(line) {
                current = line
                sections[line] = []
            } else if line.hasPrefix("Reply with JSON only") {
                current = nil
            } else if let open = current {
                sections[open]?.append(line)
            }
        }
        func text(_ name: String) -> String { sections[name]?.joined(separator: "\n") ?? "" }
        if let forcedScore {
            return #"{"score": \#(forcedScore), "reason": "The simulator was told to score \#(forcedScore)."}"#
        }
        let answer = words(text("Answer:"))
        let share: Double
        switch criterion {
        case "groundedness": share = overlap(answer, within: words(text("Context:")))
        case "relevance": share = overlap(words(text("Question:")), within: answer)
        case "correctness":
            let reference = words(text("Reference answer:"))
            share = reference.isEmpty ? overlap(answer, within: words(text("Context:"))) : f1(answer, reference)
        case "coherence": share = min(1, Double(answer.count) / 6)
        default: share = 0.5
        }
        let score = answer.isEmpty ? 1 : 1 + Int((share * 4).rounded())
        return
            #"{"score": \#(score), "reason": "\#(criterion): \#(Int((share * 100).rounded()))% word overlap (simulated judge)."}"#
    }

    static func words(_ text: String) -> Set<String> {
        SimulatedAnswers.words(text.replacingOccurrences(of: #"\[\d+\]"#, with: " ", options: .regularExpression))
    }

    /// The share of `part` found in `whole` (1 when `part` is empty: nothing unsupported was said).
    static func overlap(_ part: Set<String>, within whole: Set<String>) -> Double {
        part.isEmpty ? 1 : Double(part.intersection(whole).count) / Double(part.count)
    }

    static func f1(_ a: Set<String>, _ b: Set<String>) -> Double {
        let common = Double(a.intersection(b).count)
        guard common > 0 else { return 0 }
        let precision = common / Double(a.count)
        let recall = common / Double(b.count)
        return 2 * precision * recall / (precision + recall)
    }
}
