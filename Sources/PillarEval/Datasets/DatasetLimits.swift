/// How large a dataset and its items may be. The defaults are far above a hand-made golden set; they bound
/// the memory and time one import can take.
public struct DatasetLimits: Sendable, Hashable {
    public var maxBytes: Int
    public var maxItems: Int
    public var maxQuestionCharacters: Int
    public var maxHistoryTurns: Int
    /// For each of expected_facts, expected_sources and tags.
    public var maxListEntries: Int
    public var maxListEntryCharacters: Int

    public init(
        maxBytes: Int = 64 * 1024 * 1024, maxItems: Int = 50_000, maxQuestionCharacters: Int = 8000,
        maxHistoryTurns: Int = 50, maxListEntries: Int = 100, maxListEntryCharacters: Int = 2000
    ) {
        self.maxBytes = maxBytes
        self.maxItems = maxItems
        self.maxQuestionCharacters = maxQuestionCharacters
        self.maxHistoryTurns = maxHistoryTurns
        self.maxListEntries = maxListEntries
        self.maxListEntryCharacters = maxListEntryCharacters
    }
}
