import Foundation
import Testing

@testable import PillarEval

/// The shipped judge prompts: valid JSON of the prompt library's shape with the user layout the simulator
/// recognises. They live in the scratch package's `Shipped/prompts/` or the real tree's
/// `Sources/PillarFlows/Shipped/prompts/`.
@Suite struct JudgePromptFileTests {
    static var promptsFolder: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return [
            root.appendingPathComponent("Sources/PillarFlows/Shipped/prompts"), root.appendingPathComponent("Shipped/prompts"),
        ]
        .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("judge-groundedness.json").path) }
    }

    @Test(arguments: ["groundedness", "relevance", "coherence", "correctness"])
    func promptHasTheRubricAndLayout(criterion: String) throws {
        let folder = try #require(Self.promptsFolder)
        #expect(JudgeRubric.promptNames[criterion] == "judge-\(criterion)")
        let data = try Data(contentsOf: folder.appendingPathComponent("judge-\(criterion).json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])

        let variables = try #require(object["variables"] as? [[String: Any]])
        #expect(variables.compactMap { $0["name"] as? String } == ["question", "context", "answer", "expected"])
        let optional = variables.filter { ($0["required"] as? Bool) == false }.compactMap { $0["name"] as? String }
        #expect(optional == ["expected"])

        let parameters = try #require(object["parameters"] as? [String: Any])
        #expect((parameters["temperature"] as? NSNumber)?.doubleValue == 0)
        #expect((parameters["max_tokens"] as? NSNumber)?.intValue == 200)

        let messages = try #require(object["messages"] as? [[String: String]])
        #expect(messages.map { $0["role"] } == ["system", "user"])
        let system = try #require(messages.first?["template"])
        for level in 1...5 { #expect(system.contains("\n\(level) - "), "level \(level)") }
        let layout =
            "Criterion: \(criterion)\nQuestion:\n{{question}}\nContext:\n{{context}}\nAnswer:\n{{answer}}\n"
            + "Reference answer:\n{{expected}}\nReply with JSON only: {\"score\": <integer 1-5>, \"reason\": \"<one sentence>\"}"
        #expect(messages.last?["template"] == layout)
    }
}
