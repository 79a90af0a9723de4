import Foundation
import PillarCore

/// Reads JSONL: one JSON object a line, keyed like `EvalItem`. Blank lines are skipped; an unknown key is an
/// error so that a typo (`expected_anwser`) is not silently dropped; `null` stands for an absent optional key,
/// and an empty `expected_answer` or `trace_id` for none, as in CSV.
enum JSONLinesDatasetReader {
    static func read(
        _ bytes: ArraySlice<UInt8>, limits: DatasetLimits,
        problems: inout DatasetProblemList
    ) -> (drafts: [DatasetItemDraft], itemCount: Int) {
        let decoder = JSONDecoder()
        var drafts: [DatasetItemDraft] = []
        var itemCount = 0
        var lineNumber = 0
        for var line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) {
                continue
            }
            itemCount += 1
            if itemCount > limits.maxItems {
                problems.add(line: nil, "the dataset has more than \(limits.maxItems) items, the limit")
                break
            }
            let object: JSONLine
            do {
                object = try decoder.decode(JSONLine.self, from: Data(line))
            } catch DecodingError.typeMismatch {
                problems.add(line: lineNumber, "must be a JSON object")
                continue
            } catch {
                problems.add(line: lineNumber, "is not valid JSON")
                continue
            }
            for problem in object.problems {
                problems.add(line: lineNumber, field: problem.field, problem.message)
            }
            var draft = object.draft
            draft.line = lineNumber
            draft.position = itemCount
            drafts.append(draft)
        }
        return (drafts, itemCount)
    }

    /// One line's object, each key decoded as the type it must have. Only a line that is not an object
    /// throws; every other problem is recorded with its key, so that one line can report several.
    private struct JSONLine: Decodable {
        var draft = DatasetItemDraft(line: 0, position: 0)
        var problems: [DatasetFieldProblem] = []

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: DatasetCodingKey.self)
            let known = DatasetKey.allCases.map(\.rawValue)
            var hasQuestion = false
            for codingKey in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                let name = codingKey.stringValue
                guard let key = DatasetKey(rawValue: name) else {
                    problems.append(.init(field: name, message: DatasetNames.unknown("key", name, known: known)))
                    continue
                }
                if key == .question { hasQuestion = true }
                if key != .question, (try? container.decodeNil(forKey: codingKey)) == true { continue }
                read(key, from: container, codingKey)
            }
            if !hasQuestion {
                problems.append(.init(field: "question", message: "question is required"))
            }
        }

        private mutating func read(
            _ key: DatasetKey, from container: KeyedDecodingContainer<DatasetCodingKey>,
            _ codingKey: DatasetCodingKey
        ) {
            let field = key.rawValue
            func decoded<Value: Decodable>(_ type: Value.Type, _ expectation: String) -> Value? {
                if let value = try? container.decode(type, forKey: codingKey) { return value }
                problems.append(.init(field: field, message: "\(field) \(expectation)"))
                return nil
            }
            switch key {
            case .id:
                draft.id = decoded(String.self, "must be a string")
            case .question:
                draft.question = decoded(String.self, "must be a string")
            case .expectedAnswer:
                draft.expectedAnswer = decoded(String.self, "must be a string").flatMap { $0.isEmpty ? nil : $0 }
            case .traceID:
                draft.traceID = decoded(String.self, "must be a string").flatMap { $0.isEmpty ? nil : $0 }
            case .expectedFacts:
                draft.expectedFacts = decoded([String].self, "must be an array of strings") ?? []
            case .expectedSources:
                draft.expectedSources = decoded([String].self, "must be an array of strings") ?? []
            case .tags:
                draft.tags = decoded([String].self, "must be an array of strings") ?? []
            case .answerable:
                draft.answerable = decoded(Bool.self, "must be true or false") ?? true
            case .history:
                guard let turns = decoded([DatasetJSONTurn].self, DatasetJSONTurn.shapeMessage) else { return }
                let read = DatasetJSONTurn.turns(turns, field: field)
                draft.history = read.turns
                problems += read.problems
            case .human:
                guard
                    let human = decoded(
                        DatasetJSONHuman.self, "must be an object with rating (1 to 5) and thumbs (true or false)")
                else { return }
                draft.human = human.judgement
                problems += human.problems.map { .init(field: field, message: $0) }
            }
        }
    }
}
