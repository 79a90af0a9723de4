import PillarCore

/// An item as a reader found it, before the rules both formats share. A field that was missing or of the
/// wrong type has its default here and a problem already reported.
struct DatasetItemDraft: Sendable {
    /// The physical line the item starts on.
    var line: Int
    /// The item's 1-based position in the file, which names items that have no id.
    var position: Int
    var id: String?
    /// Nil only when missing or not a string (already reported).
    var question: String?
    var history: [EvalItem.Turn] = []
    var expectedAnswer: String?
    var expectedFacts: [String] = []
    var expectedSources: [String] = []
    var tags: [String] = []
    var answerable = true
    var human: EvalItem.HumanJudgement?
    var traceID: String?

    init(line: Int, position: Int) {
        self.line = line
        self.position = position
    }
}
