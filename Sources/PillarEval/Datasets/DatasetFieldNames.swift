/// The keys of a JSONL item: `EvalItem`'s Codable keys.
enum DatasetKey: String, CaseIterable {
    case id, question, history, tags, answerable, human
    case expectedAnswer = "expected_answer"
    case expectedFacts = "expected_facts"
    case expectedSources = "expected_sources"
    case traceID = "trace_id"
}

/// The columns of a CSV dataset, in the order an export writes them. `human` is flattened into a rating
/// column and a thumbs column because spreadsheets have no nested values.
enum DatasetColumn: String, CaseIterable {
    case id, question
    case expectedAnswer = "expected_answer"
    case expectedFacts = "expected_facts"
    case expectedSources = "expected_sources"
    case tags, answerable, history
    case humanRating = "human_rating"
    case humanThumbs = "human_thumbs"
    case traceID = "trace_id"
}

/// How names and values from the input appear in problem messages.
enum DatasetNames {
    /// Input text quoted for a message, cut short so that a megabyte-long key does not become a
    /// megabyte-long error.
    static func quoted(_ text: String) -> String {
        let limit = 60
        return text.count > limit ? "'\(text.prefix(limit))…'" : "'\(text)'"
    }

    /// "unknown key 'expected_anwser' (did you mean 'expected_answer'?)": the suggestion is the known name
    /// within two edits, which catches the typos people make in hand-written files.
    static func unknown(_ kind: String, _ name: String, known: [String]) -> String {
        var message = "unknown \(kind) \(quoted(name))"
        let lowered = name.lowercased()
        if lowered.count <= 40,
            let close = known.map({ ($0, editDistance(lowered, $0)) }).filter({ $0.1 <= 2 }).min(by: { $0.1 < $1.1 })
        {
            message += " (did you mean '\(close.0)'?)"
        }
        return message + "; known \(kind)s are " + known.joined(separator: ", ")
    }

    /// Levenshtein distance (both strings are short: the caller bounds them).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
