import Foundation
import PillarCore

extension FlowCondition {
    private enum Token: Equatable {
        case reference(String)
        case quoted(String)
        case word(String)
        case symbol(String)
    }

    /// Parses a condition string; the error message explains what is wrong.
    static func parse(_ text: String) -> Result<FlowCondition, FlowExpressionError> {
        let tokens: [Token]
        switch tokenize(text) {
        case .success(let value): tokens = value
        case .failure(let error): return .failure(error)
        }
        let source = text.trimmingCharacters(in: .whitespaces)
        func operand(_ token: Token) -> Result<Operand, FlowExpressionError> {
            switch token {
            case .reference(let inner):
                return FlowReference.parseAlternatives(inner).map { .reference($0) }
            case .quoted(let string):
                return .success(.literal(.string(string)))
            case .word(let word):
                switch word {
                case "true": return .success(.literal(.bool(true)))
                case "false": return .success(.literal(.bool(false)))
                case "null": return .success(.literal(.null))
                default:
                    if let number = Double(word), number.isFinite { return .success(.literal(.number(number))) }
                    return .failure(
                        .init(
                            "operand '\(word)' in condition '\(source)' must be a ${...} reference or a literal (number, quoted string, true, false, null)"
                        ))
                }
            case .symbol(let symbol):
                return .failure(.init("unexpected '\(symbol)' in condition '\(source)'"))
            }
        }
        guard let first = tokens.first else { return .failure(.init("empty condition")) }
        let lhs: Operand
        switch operand(first) {
        case .success(let value): lhs = value
        case .failure(let error): return .failure(error)
        }
        let rest = Array(tokens.dropFirst())
        switch rest {
        case []:
            return .success(FlowCondition(lhs: lhs, op: .truthy, source: source))
        case [.word("is"), .word("empty")]:
            return .success(FlowCondition(lhs: lhs, op: .isEmpty, source: source))
        case [.word("is"), .word("not"), .word("empty")]:
            return .success(FlowCondition(lhs: lhs, op: .isNotEmpty, source: source))
        default:
            break
        }
        guard rest.count == 2 else {
            return .failure(
                .init(
                    "cannot parse condition '\(source)': expected '<operand> <op> <operand>', '<operand> is [not] empty' or '<operand>'"
                ))
        }
        let op: Operator
        switch rest[0] {
        case .symbol(let symbol):
            guard let known = Operator(rawValue: symbol), known != .truthy else {
                return .failure(.init("unknown operator '\(symbol)' in condition '\(source)'"))
            }
            op = known
        case .word("contains"):
            op = .contains
        default:
            return .failure(.init("expected an operator (== != < <= > >= contains) in condition '\(source)'"))
        }
        switch operand(rest[1]) {
        case .success(let rhs): return .success(FlowCondition(lhs: lhs, op: op, rhs: rhs, source: source))
        case .failure(let error): return .failure(error)
        }
    }

    private static func tokenize(_ text: String) -> Result<[Token], FlowExpressionError> {
        var tokens: [Token] = []
        let chars = Array(text)
        var index = 0
        let symbolChars: Set<Character> = ["=", "!", "<", ">"]
        while index < chars.count {
            let char = chars[index]
            if char.isWhitespace {
                index += 1
            } else if char == "$", index + 1 < chars.count, chars[index + 1] == "{" {
                guard let end = chars[(index + 2)...].firstIndex(of: "}") else {
                    return .failure(.init("unterminated '${' in condition '\(text)'"))
                }
                tokens.append(.reference(String(chars[(index + 2)..<end])))
                index = end + 1
            } else if char == "'" || char == "\"" {
                var value = ""
                var cursor = index + 1
                var closed = false
                while cursor < chars.count {
                    let current = chars[cursor]
                    if current == "\\", cursor + 1 < chars.count {
                        value.append(chars[cursor + 1])
                        cursor += 2
                        continue
                    }
                    if current == char {
                        closed = true
                        break
                    }
                    value.append(current)
                    cursor += 1
                }
                guard closed else { return .failure(.init("unterminated string in condition '\(text)'")) }
                tokens.append(.quoted(value))
                index = cursor + 1
            } else if symbolChars.contains(char) {
                var symbol = ""
                while index < chars.count, symbolChars.contains(chars[index]) {
                    symbol.append(chars[index])
                    index += 1
                }
                tokens.append(.symbol(symbol))
            } else {
                var word = ""
                while index < chars.count, !chars[index].isWhitespace, !symbolChars.contains(chars[index]) {
                    word.append(chars[index])
                    index += 1
                }
                tokens.append(.word(word))
            }
        }
        return .success(tokens)
    }
}
