import Foundation
import PillarCore

/// Turns an uploaded dataset file into items, all or nothing: any problem refuses the whole file with every
/// problem listed (`DatasetImportError`), so nothing is half imported.
public enum DatasetImport {
    /// The items of a JSONL or CSV dataset. Items without an id are named `item-<n>` (n is the 1-based
    /// position of the item in the file); ids must be unique, generated ones included.
    public static func parse(
        _ data: Data, format: DatasetFormat,
        limits: DatasetLimits = .init()
    ) throws(DatasetImportError) -> [EvalItem] {
        var problems = DatasetProblemList()
        guard data.count <= limits.maxBytes else {
            problems.add(line: nil, "the dataset is \(data.count) bytes, more than the limit of \(limits.maxBytes)")
            throw problems.error()
        }
        let bytes = withoutByteOrderMark([UInt8](data))
        reportInvalidUTF8(bytes, problems: &problems)
        guard problems.isEmpty else { throw problems.error() }

        let read =
            switch format {
            case .jsonl: JSONLinesDatasetReader.read(bytes, limits: limits, problems: &problems)
            case .csv: CSVDatasetReader.read(bytes, limits: limits, problems: &problems)
            }
        if read.itemCount == 0, problems.isEmpty {
            problems.add(line: nil, "the dataset has no items")
        }

        var items: [EvalItem] = []
        items.reserveCapacity(read.drafts.count)
        var lineOfID: [String: Int] = [:]
        for draft in read.drafts {
            DatasetItemRules.check(draft, limits: limits, problems: &problems)
            let id = draft.id ?? "item-\(draft.position)"
            if DatasetItemRules.isValidID(id) {
                if let earlier = lineOfID[id] {
                    let which =
                        draft.id == nil ? "id \(id) (given to this item, which has none)" : "id \(DatasetNames.quoted(id))"
                    problems.add(line: draft.line, field: "id", "\(which) is already used on line \(earlier)")
                } else {
                    lineOfID[id] = draft.line
                }
            }
            guard problems.isEmpty, let question = draft.question else { continue }
            items.append(
                EvalItem(
                    id: id, question: question, history: draft.history,
                    expectedAnswer: draft.expectedAnswer, expectedFacts: draft.expectedFacts,
                    expectedSources: draft.expectedSources, tags: draft.tags,
                    answerable: draft.answerable, human: draft.human, traceID: draft.traceID))
        }
        guard problems.isEmpty else { throw problems.error() }
        return items
    }

    /// Spreadsheets often save CSV with a UTF-8 byte order mark; it is not part of the first header name.
    private static func withoutByteOrderMark(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
    }

    /// Names each line that is not UTF-8. No UTF-8 sequence contains an LF byte, so lines can be checked one
    /// by one once the whole input has failed.
    private static func reportInvalidUTF8(_ bytes: ArraySlice<UInt8>, problems: inout DatasetProblemList) {
        guard String(validating: bytes, as: UTF8.self) == nil else { return }
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where String(validating: line, as: UTF8.self) == nil {
            problems.add(line: index + 1, "is not valid UTF-8")
        }
    }
}
