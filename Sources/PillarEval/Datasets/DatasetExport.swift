import Foundation
import PillarCore

/// Writes items as a dataset file that `DatasetImport.parse` reads back to the same items (for items that
/// pass its rules; in CSV, less the `'` that `SpreadsheetFormulaGuard` puts before free text starting with
/// a formula character).
public enum DatasetExport {
    public static func render(_ items: [EvalItem], format: DatasetFormat) -> Data {
        var text = ""
        switch format {
        case .jsonl:
            for item in items {
                text += jsonLine(item)
                text += "\n"
            }
        case .csv:
            text += csvRecord(DatasetColumn.allCases.map(\.rawValue))
            for item in items {
                text += csvRecord(DatasetColumn.allCases.map { csvCell($0, of: item) })
            }
        }
        return Data(text.utf8)
    }

    /// One JSON object, keys sorted, empty optional fields left out (`answerable` is always written: false
    /// is what makes an item unanswerable, and true is worth seeing).
    private static func jsonLine(_ item: EvalItem) -> String {
        var members: [(String, String)] = [("answerable", item.answerable ? "true" : "false")]
        if let answer = item.expectedAnswer { members.append(("expected_answer", JSONText.string(answer))) }
        if !item.expectedFacts.isEmpty { members.append(("expected_facts", JSONText.strings(item.expectedFacts))) }
        if !item.expectedSources.isEmpty { members.append(("expected_sources", JSONText.strings(item.expectedSources))) }
        if !item.history.isEmpty { members.append(("history", JSONText.history(item.history))) }
        if let human = item.human {
            members.append(("human", "{\"rating\":\(human.rating),\"thumbs\":\(human.thumbs ? "true" : "false")}"))
        }
        members.append(("id", JSONText.string(item.id)))
        members.append(("question", JSONText.string(item.question)))
        if !item.tags.isEmpty { members.append(("tags", JSONText.strings(item.tags))) }
        if let traceID = item.traceID { members.append(("trace_id", JSONText.string(traceID))) }
        return "{" + members.map { JSONText.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// Lists and history as JSON (a `|` inside a value cannot be mistaken for a separator); a thumb as
    /// up/down, a rating as its number.
    private static func csvCell(_ column: DatasetColumn, of item: EvalItem) -> String {
        switch column {
        case .id: item.id
        case .question: item.question
        case .expectedAnswer: item.expectedAnswer ?? ""
        case .expectedFacts: item.expectedFacts.isEmpty ? "" : JSONText.strings(item.expectedFacts)
        case .expectedSources: item.expectedSources.isEmpty ? "" : JSONText.strings(item.expectedSources)
        case .tags: item.tags.isEmpty ? "" : JSONText.strings(item.tags)
        case .answerable: item.answerable ? "true" : "false"
        case .history: item.history.isEmpty ? "" : JSONText.history(item.history)
        case .humanRating: item.human.flatMap { $0.thumbs ? nil : String($0.rating) } ?? ""
        case .humanThumbs: item.human.flatMap { $0.thumbs ? ($0.rating >= 3 ? "up" : "down") : nil } ?? ""
        case .traceID: item.traceID ?? ""
        }
    }

    /// Fields guarded against formulas, quoted when they hold a comma, quote or line break; CRLF after each
    /// record, as RFC 4180 has it.
    private static func csvRecord(_ fields: [String]) -> String {
        fields.map { field in
            let cell = SpreadsheetFormulaGuard.guarded(field)
            let needsQuotes = cell.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            return needsQuotes ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }.joined(separator: ",") + "\r\n"
    }
}

/// JSON text for the few shapes an item has, written directly so that rendering cannot fail.
enum JSONText {
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func strings(_ values: [String]) -> String {
        "[" + values.map(string).joined(separator: ",") + "]"
    }

    static func history(_ turns: [EvalItem.Turn]) -> String {
        "[" + turns.map { "{\"content\":\(string($0.content)),\"role\":\(string($0.role))}" }.joined(separator: ",") + "]"
    }
}
