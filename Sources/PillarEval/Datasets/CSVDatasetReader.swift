import Foundation
import PillarCore

/// Reads a CSV dataset: a header row naming columns (any case, any order; `question` required, unknown
/// names refused), then one item a record. Lists are a JSON array or values separated by `|`; history is a
/// JSON array; an empty cell is an absent value.
enum CSVDatasetReader {
    static func read(
        _ bytes: ArraySlice<UInt8>, limits: DatasetLimits,
        problems: inout DatasetProblemList
    ) -> (drafts: [DatasetItemDraft], itemCount: Int) {
        var reader = CSVRecordReader(bytes)
        var header: CSVRecord?
        while let record = reader.next(problems: &problems) {
            if !record.isBlank {
                header = record
                break
            }
        }
        guard let header else {
            problems.add(line: nil, "the dataset is empty: a CSV dataset needs a header row and at least one item")
            return ([], 0)
        }
        let columns = readHeader(header, problems: &problems)
        let decoder = JSONDecoder()
        var drafts: [DatasetItemDraft] = []
        var itemCount = 0
        while let record = reader.next(problems: &problems) {
            if record.isBlank { continue }
            itemCount += 1
            if itemCount > limits.maxItems {
                problems.add(line: nil, "the dataset has more than \(limits.maxItems) items, the limit")
                break
            }
            if record.isMalformed || header.isMalformed { continue }
            guard record.fields.count == columns.count else {
                problems.add(line: record.line, "has \(record.fields.count) fields, but the header has \(columns.count)")
                continue
            }
            var draft = DatasetItemDraft(line: record.line, position: itemCount)
            var cells: [DatasetColumn: String] = [:]
            for (column, cell) in zip(columns, record.fields) {
                if let column { cells[column] = cell }
            }
            fill(&draft, from: cells, decoder: decoder, problems: &problems)
            drafts.append(draft)
        }
        return (drafts, itemCount)
    }

    /// The column of each header field (nil for a field that names none, already reported).
    private static func readHeader(_ header: CSVRecord, problems: inout DatasetProblemList) -> [DatasetColumn?] {
        let known = DatasetColumn.allCases.map(\.rawValue)
        var seen: Set<DatasetColumn> = []
        var columns: [DatasetColumn?] = []
        for (index, field) in header.fields.enumerated() {
            let name = field.trimmingCharacters(in: .whitespaces).lowercased()
            let column = DatasetColumn(rawValue: name)
            if name.isEmpty {
                problems.add(line: header.line, "header field \(index + 1) is empty: every column needs a name")
            } else if column == nil {
                problems.add(line: header.line, field: name, DatasetNames.unknown("column", name, known: known))
            } else if let column, !seen.insert(column).inserted {
                problems.add(line: header.line, field: name, "column \(name) appears twice in the header")
            }
            columns.append(column)
        }
        if !header.isMalformed, !seen.contains(.question) {
            problems.add(line: header.line, field: "question", "the header has no question column, which is required")
        }
        return columns
    }

    private static func fill(
        _ draft: inout DatasetItemDraft, from cells: [DatasetColumn: String], decoder: JSONDecoder,
        problems: inout DatasetProblemList
    ) {
        let line = draft.line
        if let id = cells[.id], !id.isEmpty {
            draft.id = SpreadsheetFormulaGuard.removingFromID(id)
        }
        draft.question = cells[.question]
        draft.expectedAnswer = cells[.expectedAnswer].flatMap { $0.isEmpty ? nil : $0 }
        draft.traceID = cells[.traceID].flatMap { $0.isEmpty ? nil : $0 }
        draft.expectedFacts = list(
            cells[.expectedFacts], column: .expectedFacts, line: line, decoder: decoder, problems: &problems)
        draft.expectedSources = list(
            cells[.expectedSources], column: .expectedSources, line: line, decoder: decoder, problems: &problems)
        draft.tags = list(cells[.tags], column: .tags, line: line, decoder: decoder, problems: &problems)
        if let cell = cells[.history]?.trimmingCharacters(in: .whitespaces), !cell.isEmpty {
            if let turns = try? decoder.decode([DatasetJSONTurn].self, from: Data(cell.utf8)) {
                let read = DatasetJSONTurn.turns(turns, field: "history")
                draft.history = read.turns
                for problem in read.problems { problems.add(line: line, field: problem.field, problem.message) }
            } else {
                problems.add(line: line, field: "history", "history must be a JSON array of {\"role\", \"content\"} objects")
            }
        }
        if let cell = cells[.answerable] {
            switch cell.trimmingCharacters(in: .whitespaces).lowercased() {
            case "", "true", "yes", "1": draft.answerable = true
            case "false", "no", "0": draft.answerable = false
            default:
                problems.add(line: line, field: "answerable", "answerable must be true, false, yes, no, 1 or 0 (empty is true)")
            }
        }
        draft.human = human(rating: cells[.humanRating], thumbs: cells[.humanThumbs], line: line, problems: &problems)
    }

    /// A JSON array when the cell starts with `[`, otherwise values separated by `|` (each trimmed).
    private static func list(
        _ cell: String?, column: DatasetColumn, line: Int, decoder: JSONDecoder,
        problems: inout DatasetProblemList
    ) -> [String] {
        guard let cell = cell?.trimmingCharacters(in: .whitespaces), !cell.isEmpty else { return [] }
        let field = column.rawValue
        guard cell.hasPrefix("[") else {
            return cell.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard let entries = try? decoder.decode([String].self, from: Data(cell.utf8)) else {
            problems.add(line: line, field: field, "\(field) starts with '[' but is not a JSON array of strings")
            return []
        }
        return entries
    }

    /// `human_rating` 1-5, or `human_thumbs` up (5) or down (1): one of them, not both.
    private static func human(
        rating ratingCell: String?, thumbs thumbsCell: String?, line: Int,
        problems: inout DatasetProblemList
    ) -> EvalItem.HumanJudgement? {
        let rating = ratingCell?.trimmingCharacters(in: .whitespaces) ?? ""
        let thumbs = thumbsCell?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        if !rating.isEmpty, !thumbs.isEmpty {
            problems.add(line: line, field: "human_rating", "set human_rating or human_thumbs, not both")
            return nil
        }
        if !rating.isEmpty {
            guard let value = Int(rating), DatasetItemRules.ratings.contains(Double(value)) else {
                problems.add(line: line, field: "human_rating", "human_rating must be an integer from 1 to 5")
                return nil
            }
            return EvalItem.HumanJudgement(rating: value, thumbs: false)
        }
        switch thumbs {
        case "": return nil
        case "up": return EvalItem.HumanJudgement(rating: 5, thumbs: true)
        case "down": return EvalItem.HumanJudgement(rating: 1, thumbs: true)
        default:
            problems.add(line: line, field: "human_thumbs", "human_thumbs must be up or down")
            return nil
        }
    }
}
