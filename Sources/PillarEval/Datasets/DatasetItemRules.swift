import PillarCore

/// The checks every item passes whatever its format: id syntax, question, list and history bounds.
enum DatasetItemRules {
    static let idLengthLimit = 128
    static let roles: Set<String> = ["user", "assistant"]
    /// A human rating, 1 (bad) to 5 (good).
    static let ratings: ClosedRange<Double> = 1...5

    /// `[A-Za-z0-9._:-]{1,128}`: ids appear in URLs, file names and metric labels.
    static func isValidID(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= idLengthLimit else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    static func check(_ draft: DatasetItemDraft, limits: DatasetLimits, problems: inout DatasetProblemList) {
        let line = draft.line
        if let id = draft.id, !isValidID(id) {
            problems.add(
                line: line, field: "id",
                "id \(DatasetNames.quoted(id)) must be 1 to \(idLengthLimit) characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'")
        }
        if let question = draft.question {
            if question.allSatisfy(\.isWhitespace) {
                problems.add(line: line, field: "question", "question must not be empty")
            } else if question.count > limits.maxQuestionCharacters {
                problems.add(
                    line: line, field: "question",
                    "question has \(question.count) characters, more than the limit of \(limits.maxQuestionCharacters)")
            }
        }
        checkList(draft.expectedFacts, field: "expected_facts", line: line, limits: limits, problems: &problems)
        checkList(draft.expectedSources, field: "expected_sources", line: line, limits: limits, problems: &problems)
        checkList(draft.tags, field: "tags", line: line, limits: limits, problems: &problems)
        if draft.history.count > limits.maxHistoryTurns {
            problems.add(
                line: line, field: "history",
                "history has \(draft.history.count) turns, more than the limit of \(limits.maxHistoryTurns)")
        }
        if let index = draft.history.firstIndex(where: { !roles.contains($0.role) }) {
            problems.add(
                line: line, field: "history",
                "history turn \(index + 1): role must be user or assistant, not \(DatasetNames.quoted(draft.history[index].role))"
            )
        }
    }

    /// One problem per kind and list at most: a hundred overlong tags are one mistake, not a hundred.
    private static func checkList(
        _ entries: [String], field: String, line: Int, limits: DatasetLimits,
        problems: inout DatasetProblemList
    ) {
        if entries.count > limits.maxListEntries {
            problems.add(
                line: line, field: field,
                "\(field) has \(entries.count) entries, more than the limit of \(limits.maxListEntries)")
        }
        if let index = entries.firstIndex(where: { $0.allSatisfy(\.isWhitespace) }) {
            problems.add(line: line, field: field, "\(field) entry \(index + 1) is empty")
        }
        if let index = entries.firstIndex(where: { $0.count > limits.maxListEntryCharacters }) {
            problems.add(
                line: line, field: field,
                "\(field) entry \(index + 1) has \(entries[index].count) characters, more than the limit of \(limits.maxListEntryCharacters)"
            )
        }
    }
}
