import Foundation
import PillarCore

/// How the simulator answers the shipped RAG prompts without a model, so that tests and benchmarks exercise
/// the whole flow deterministically: a condense prompt gets the follow-up question back as it was asked, and
/// an answer prompt with numbered sources gets the sentence of the best-matching source that shares most words
/// with the question, followed by that source's `[n]` marker. Anything else is echoed.
enum SimulatedAnswers {
    static let condenseCue = "Standalone question:"
    static let followUpCue = "Follow-up question:"

    static func reply(to request: ChatCompletionRequest, quality: SimulatedQuality? = nil) -> String {
        let question = request.messages.last { $0.role == "user" }?.content?.text ?? ""
        if question.hasSuffix(condenseCue),
            let followUp = question.components(separatedBy: "\n")
                .last(where: { $0.hasPrefix(followUpCue) })
        {
            return followUp.dropFirst(followUpCue.count).trimmingCharacters(in: .whitespaces)
        }
        let prompt = request.messages.compactMap { $0.content?.text }.joined(separator: "\n")
        let sources = numberedSources(in: prompt)
        guard !sources.isEmpty else { return "Echo: " + question }
        let asked = words(question)
        var best: (marker: Int, sentence: String, overlap: Int)?
        for (marker, text) in sources {
            for sentence in sentences(text) {
                let overlap = words(sentence).intersection(asked).count
                if overlap > (best?.overlap ?? 0) { best = (marker, sentence, overlap) }
            }
        }
        let answer = best.map { $0.sentence + " [\($0.marker)]" } ?? "The sources do not say."
        return quality?.spoil(answer, question: question) ?? answer
    }

    /// `[n]` at the start of a line opens source n, which runs to the next such line or to a "Question:" line.
    static func numberedSources(in prompt: String) -> [(Int, String)] {
        var sources: [(Int, String)] = []
        var current: (Int, [String])?
        for line in prompt.components(separatedBy: "\n") {
            if line.hasPrefix("["), let close = line.firstIndex(of: "]"),
                let marker = Int(line[line.index(after: line.startIndex)..<close])
            {
                if let current { sources.append((current.0, current.1.joined(separator: "\n"))) }
                current = (marker, [line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)])
            } else if line.hasPrefix("Question:") {
                if let open = current { sources.append((open.0, open.1.joined(separator: "\n"))) }
                current = nil
            } else {
                current?.1.append(line)
            }
        }
        if let current { sources.append((current.0, current.1.joined(separator: "\n"))) }
        return sources
    }

    /// Sentences split after ". ", "! " or "? " and at line ends; a "Title: …" line is the source's label,
    /// not something it says.
    static func sentences(_ text: String) -> [String] {
        var result: [String] = []
        for line in text.components(separatedBy: "\n") where !line.hasPrefix("Title:") {
            var current = ""
            for character in line {
                current.append(character)
                if character == " ", let previous = current.dropLast().last, ".!?".contains(previous) {
                    result.append(current.trimmingCharacters(in: .whitespaces))
                    current = ""
                }
            }
            let rest = current.trimmingCharacters(in: .whitespaces)
            if !rest.isEmpty { result.append(rest) }
        }
        return result.filter { !$0.isEmpty }
    }

    static let stopwords: Set<String> = [
        "the", "and", "for", "are", "was", "what", "which", "who", "how", "did",
        "does", "that", "this", "with", "from", "many", "much", "when", "where",
    ]

    static func words(_ text: String) -> Set<String> {
        Set(
            text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
                .filter { $0.count >= 3 && !stopwords.contains($0) })
    }
}
