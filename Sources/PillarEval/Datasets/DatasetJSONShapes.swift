import Foundation
import PillarCore

/// A problem found while decoding a JSON value leniently, before its line is known.
struct DatasetFieldProblem: Sendable {
    var field: String?
    var message: String
}

/// Any key of a JSON object, so that unknown keys can be named rather than ignored.
struct DatasetCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A history turn as JSON: `{"role", "content"}`. Decoding throws only when the value is not an object;
/// an unknown key or a non-string role or content is recorded in `problems` so that every one is reported.
struct DatasetJSONTurn: Decodable {
    var turn: EvalItem.Turn?
    var problems: [String] = []

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DatasetCodingKey.self)
        for key in container.allKeys.map(\.stringValue).sorted() where key != "role" && key != "content" {
            problems.append(DatasetNames.unknown("key", key, known: ["role", "content"]))
        }
        let role = try? container.decode(String.self, forKey: DatasetCodingKey("role"))
        let content = try? container.decode(String.self, forKey: DatasetCodingKey("content"))
        if role == nil { problems.append("role must be a string") }
        if content == nil { problems.append("content must be a string") }
        if let role, let content { turn = EvalItem.Turn(role: role, content: content) }
    }

    /// The turns of a decoded history with their problems; no turns when any turn has a problem.
    static func turns(_ decoded: [DatasetJSONTurn], field: String) -> (turns: [EvalItem.Turn], problems: [DatasetFieldProblem]) {
        var turns: [EvalItem.Turn] = []
        var problems: [DatasetFieldProblem] = []
        for (index, element) in decoded.enumerated() {
            problems += element.problems.map { DatasetFieldProblem(field: field, message: "\(field) turn \(index + 1): \($0)") }
            if let turn = element.turn { turns.append(turn) }
        }
        return (problems.isEmpty ? turns : [], problems)
    }

    static let shapeMessage = "must be an array of {\"role\", \"content\"} objects"
}

/// A human judgement as JSON: `{"rating": 1-5, "thumbs": bool}`, thumbs defaulting to false. A thumb is
/// rating 1 (down) or 5 (up): anything else could not be written back as CSV's up/down.
struct DatasetJSONHuman: Decodable {
    var judgement: EvalItem.HumanJudgement?
    var problems: [String] = []

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DatasetCodingKey.self)
        for key in container.allKeys.map(\.stringValue).sorted() where key != "rating" && key != "thumbs" {
            problems.append("human: " + DatasetNames.unknown("key", key, known: ["rating", "thumbs"]))
        }
        var rating: Int?
        if let number = try? container.decode(Double.self, forKey: DatasetCodingKey("rating")),
            number.rounded() == number, DatasetItemRules.ratings.contains(number)
        {
            rating = Int(number)
        } else {
            problems.append("human.rating must be an integer from 1 to 5")
        }
        var thumbs = false
        let thumbsKey = DatasetCodingKey("thumbs")
        if container.contains(thumbsKey), (try? container.decodeNil(forKey: thumbsKey)) != true {
            if let value = try? container.decode(Bool.self, forKey: thumbsKey) {
                thumbs = value
            } else {
                problems.append("human.thumbs must be true or false")
            }
        }
        guard problems.isEmpty, let rating else { return }
        if thumbs, rating != 1, rating != 5 {
            problems.append("human.thumbs is true, so human.rating must be 1 (down) or 5 (up)")
            return
        }
        judgement = EvalItem.HumanJudgement(rating: rating, thumbs: thumbs)
    }
}
