import Foundation
import PillarCore

/// A judge's reply that does not give a 1-5 score: what went wrong and what it said.
public struct JudgeOutputError: Error, Sendable, Hashable {
    /// Always `judge_off_rubric`.
    public var code: String
    public var message: String
    /// The start of the judge's reply, at most `JudgeRubric.excerptLength` characters.
    public var excerpt: String

    public init(message: String, excerpt: String) {
        code = "judge_off_rubric"
        self.message = message
        self.excerpt = excerpt
    }
}

/// Reads a judge's reply: a JSON object `{"score": 4, "reason": "..."}` (alone, in a ```json fence or with
/// text around it), or `Score: 4` and `Reason: ...` lines. The score must be an integer from 1 to 5.
public enum JudgeRubric {
    /// The judge prompt of each judge metric.
    public static let promptNames: [String: String] = [
        "groundedness": "judge-groundedness",
        "relevance": "judge-relevance",
        "coherence": "judge-coherence",
        "correctness": "judge-correctness",
    ]

    /// Replies are read up to this many bytes of UTF-8.
    public static let inputLimit = 64 * 1024
    public static let excerptLength = 200
    /// JSON objects tried before giving up on JSON, so text full of braces stays cheap.
    static let objectAttempts = 32
    static let reasonLength = 2000

    /// The score and reason of a judge's reply.
    public static func parse(_ output: String) -> Result<(score: Int, reason: String), JudgeOutputError> {
        let text = bounded(output)
        if let object = firstScoredObject(in: text) {
            guard let score = rubricScore(object.score) else {
                return .failure(offRubric("the score \(object.score.description) is not an integer from 1 to 5", text))
            }
            return .success((score, clipped(object.reason)))
        }
        if let line = scoreLine(in: text) {
            guard let score = rubricScore(.text(line)) else {
                return .failure(offRubric("the score \"\(line.prefix(40))\" is not an integer from 1 to 5", text))
            }
            return .success((score, clipped(reasonLine(in: text) ?? "")))
        }
        return .failure(offRubric("the reply gives no score", text))
    }

    /// The reply as a score: the value and reason, or no value and the error.
    public static func evalScore(from output: String) -> EvalScore {
        switch parse(output) {
        case .success(let graded):
            return EvalScore(value: Double(graded.score), reason: graded.reason)
        case .failure(let error):
            return EvalScore(value: nil, error: "\(error.code): \(error.message); the judge said: \(error.excerpt)")
        }
    }

    /// A score as the reply wrote it.
    enum WrittenScore: Sendable, Hashable, CustomStringConvertible {
        case number(Double)
        case text(String)
        case other(String)

        var description: String {
            switch self {
            case .number(let value): return value.rounded() == value ? String(Int(value)) : String(value)
            case .text(let text): return "\"\(text.prefix(40))\""
            case .other(let kind): return kind
            }
        }
    }

    static func rubricScore(_ written: WrittenScore) -> Int? {
        let value: Double
        switch written {
        case .number(let number):
            value = number
        case .text(let text):
            // "4", "4/5", "4." or "4 out of 5": the first word, without a "/5" or trailing punctuation.
            var token = String(text.split(whereSeparator: \.isWhitespace).first ?? "")
            if token.hasSuffix("/5") { token.removeLast(2) }
            while let last = token.last, ".,;*_)".contains(last) { token.removeLast() }
            guard token.allSatisfy(\.isASCII), let number = Double(token), !token.contains("e"), !token.contains("E") else {
                return nil
            }
            value = number
        case .other:
            return nil
        }
        guard value.rounded() == value, (1...5).contains(value) else { return nil }
        return Int(value)
    }

    static func bounded(_ output: String) -> String {
        guard output.utf8.count > inputLimit else { return output }
        // Cutting inside a multi-byte character drops the partial character.
        return String(decoding: output.utf8.prefix(inputLimit), as: UTF8.self)
    }

    static func clipped(_ reason: String) -> String {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count > reasonLength ? String(trimmed.prefix(reasonLength)) : trimmed
    }

    static func offRubric(_ message: String, _ text: String) -> JudgeOutputError {
        let excerpt = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return JudgeOutputError(
            message: "The judge answered off its rubric: " + message,
            excerpt: String(excerpt.prefix(excerptLength)))
    }

    // MARK: JSON

    struct ScoredObject {
        var score: WrittenScore
        var reason: String
    }

    /// The first balanced `{...}` that is a JSON object with a `score` key.
    static func firstScoredObject(in text: String) -> ScoredObject? {
        let bytes = Array(text.utf8)
        var attempts = 0
        var start = 0
        while start < bytes.count, attempts < objectAttempts {
            guard let open = bytes[start...].firstIndex(of: UInt8(ascii: "{")) else { return nil }
            attempts += 1
            if let close = matchingBrace(bytes, from: open),
                let object = scoredObject(Data(bytes[open...close]))
            {
                return object
            }
            start = open + 1
        }
        return nil
    }

    /// The index of the `}` that closes the `{` at `open`, skipping braces inside JSON strings.
    static func matchingBrace(_ bytes: [UInt8], from open: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for index in open..<bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
        }
        return nil
    }

    static func scoredObject(_ data: Data) -> ScoredObject? {
        guard let object = try? JSONDecoder().decode([String: JudgeField].self, from: data) else { return nil }
        let fields = Dictionary(object.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let score = fields["score"] else { return nil }
        let reason: String
        switch fields["reason"] {
        case .string(let text)?: reason = text
        case .number(let number)?: reason = String(number)
        default: reason = ""
        }
        switch score {
        case .number(let number): return ScoredObject(score: .number(number), reason: reason)
        case .string(let text): return ScoredObject(score: .text(text), reason: reason)
        case .other(let kind): return ScoredObject(score: .other(kind), reason: reason)
        }
    }

    /// One field of the reply's object; nested values are kept only as what they are.
    enum JudgeField: Decodable {
        case number(Double)
        case string(String)
        case other(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .other("null")
                return
            }
            if let flag = try? container.decode(Bool.self) {
                self = .other(flag ? "true" : "false")
                return
            }
            if let number = try? container.decode(Double.self) {
                self = .number(number)
                return
            }
            if let text = try? container.decode(String.self) {
                self = .string(text)
                return
            }
            self = .other("a JSON object or array")
        }
    }

    // MARK: Lines

    /// The text after `Score:` on the first line that starts with it (markdown emphasis allowed).
    static func scoreLine(in text: String) -> String? {
        labelledLine("score", in: text)
    }

    static func reasonLine(in text: String) -> String? {
        labelledLine("reason", in: text)
    }

    static func labelledLine(_ label: String, in text: String) -> String? {
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            var rest = Substring(line).drop { " \t*_#>-".contains($0) }
            guard rest.lowercased().hasPrefix(label) else { continue }
            rest = rest.dropFirst(label.count).drop { " \t*_".contains($0) }
            guard let separator = rest.first, separator == ":" || separator == "=" else { continue }
            return String(rest.dropFirst().drop { " \t*_".contains($0) })
        }
        return nil
    }
}
