import Foundation
import PillarCore
import Testing

@testable import PillarEval

/// The problems an import that must fail reports (records an issue when it succeeds).
func datasetProblems(
    _ text: String, _ format: DatasetFormat, limits: DatasetLimits = .init(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> DatasetImportError? {
    datasetProblems(Data(text.utf8), format, limits: limits, sourceLocation: sourceLocation)
}

func datasetProblems(
    _ data: Data, _ format: DatasetFormat, limits: DatasetLimits = .init(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> DatasetImportError? {
    do {
        let items = try DatasetImport.parse(data, format: format, limits: limits)
        Issue.record("expected the import to fail, got \(items.count) items", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.code == "invalid_dataset", sourceLocation: sourceLocation)
        return error
    }
}

/// SplitMix64: a small seeded generator so that generated datasets are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random valid items whose text is made of the pieces that break naive CSV and JSON writers.
struct EvalItemGenerator {
    var random: SeededGenerator

    static let fragments = [
        "a", "Paris", "ß", "東京", "🇫🇷", "e\u{301}", ",", "\"", "\"\"", "\n", "\r\n", "\r", "|", " ", "'", "=", "+",
        "-", "@", "\t", "[", "]", "{", "}", "\\", "\u{2028}", "null", "\u{0}", "\u{1F}", "//", "up", "1",
    ]
    static let idCharacters = Array("ABCxyz019._:-")

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func text(maxFragments: Int = 8) -> String {
        (0..<Int.random(in: 1...maxFragments, using: &random))
            .map { _ in Self.fragments.randomElement(using: &random) ?? "a" }.joined()
    }

    /// Text that is not only whitespace (questions and list entries must have some).
    mutating func visibleText() -> String {
        let candidate = text()
        return candidate.allSatisfy(\.isWhitespace) ? candidate + "x" : candidate
    }

    mutating func list() -> [String] {
        (0..<Int.random(in: 0...4, using: &random)).map { _ in visibleText() }
    }

    mutating func item(index: Int) -> EvalItem {
        let idStem = String(
            (0..<Int.random(in: 1...12, using: &random))
                .map { _ in Self.idCharacters.randomElement(using: &random) ?? "a" })
        let history = (0..<Int.random(in: 0...3, using: &random)).map { _ in
            EvalItem.Turn(
                role: Bool.random(using: &random) ? "user" : "assistant",
                content: Bool.random(using: &random) ? text() : "")
        }
        let human: EvalItem.HumanJudgement? =
            switch Int.random(in: 0...2, using: &random) {
            case 0: nil
            case 1: .init(rating: Int.random(in: 1...5, using: &random), thumbs: false)
            default: .init(rating: Bool.random(using: &random) ? 5 : 1, thumbs: true)
            }
        return EvalItem(
            id: "\(idStem)-\(index)", question: visibleText(), history: history,
            expectedAnswer: Bool.random(using: &random) ? visibleText() : nil,
            expectedFacts: list(), expectedSources: list(), tags: list(),
            answerable: Bool.random(using: &random), human: human,
            traceID: Bool.random(using: &random) ? visibleText() : nil)
    }
}
