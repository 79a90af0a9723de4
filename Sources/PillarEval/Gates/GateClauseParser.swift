/// Reads one clause of a gate requirement, character by character (the grammar is in `GateRequirement`).
struct GateClauseParser {
    private let characters: [Character]
    private let clause: String
    private let position: Int
    private var index = 0

    init(clause: String, position: Int) {
        self.clause = clause
        self.position = position
        characters = Array(clause)
    }

    mutating func parse() throws(GateError) -> GateRequirement.Condition {
        skipWhitespace()
        let name = readName()
        guard !name.isEmpty else { throw failure("a metric name (letters, digits, _ @ . -) or `p`") }
        skipWhitespace()
        if name == "p", peek == "(" {
            index += 1
            skipWhitespace()
            let metric = readName()
            guard !metric.isEmpty else { throw failure("a metric name inside `p(...)`") }
            skipWhitespace()
            guard take(")") else { throw failure("`)` after `p(\(metric)`") }
            let alpha = try readAlpha()
            return .significantlyBetter(metric: metric, alpha: alpha)
        }
        if name == "p", peek == "<" {
            return .significantOverall(alpha: try readAlpha())
        }
        guard let comparison = readOperator() else {
            throw failure("one of >= <= > < == after `\(name)`")
        }
        skipWhitespace()
        let target = try readTarget(after: comparison)
        try expectEnd()
        return .threshold(metric: name, operator: comparison, target: target)
    }

    private mutating func readAlpha() throws(GateError) -> Double {
        skipWhitespace()
        guard take("<"), peek != "=" else { throw failure("`<` and a significance level, as in `p<0.05`") }
        skipWhitespace()
        guard let alpha = readNumber(signed: false), alpha > 0, alpha <= 1 else {
            throw failure("a significance level in (0, 1] after `<`, as in `p<0.05`")
        }
        try expectEnd()
        return alpha
    }

    private mutating func readTarget(after comparison: GateRequirement.Operator) throws(GateError) -> GateRequirement.Target {
        let expected = "a number, `baseline`, `baseline+N` or `baseline-N` after `\(comparison.rawValue)`"
        if let number = readNumber(signed: true) { return .absolute(number) }
        // Letters only: `-` and digits are name characters too, and `baseline-0.02` must split.
        let start = index
        while let character = peek, character.isASCII, character.isLetter { index += 1 }
        let word = String(characters[start..<index])
        guard word == "baseline", peek.map({ !Self.isNameCharacter($0) || $0 == "-" }) ?? true else {
            throw failure(expected)
        }
        skipWhitespace()
        guard let sign = peek, sign == "+" || sign == "-" else { return .baseline(offset: 0) }
        index += 1
        skipWhitespace()
        guard let offset = readNumber(signed: false) else { throw failure("a number after `baseline\(sign)`") }
        return .baseline(offset: sign == "-" ? -offset : offset)
    }

    private mutating func expectEnd() throws(GateError) {
        skipWhitespace()
        guard index == characters.count else {
            throw failure("the end of the clause, not `\(String(characters[index...]))`")
        }
    }

    /// `[+-]?(digits[.digits] | .digits)([eE][+-]?digits)?`, finite; nil (and nothing consumed) otherwise.
    private mutating func readNumber(signed: Bool) -> Double? {
        let start = index
        if signed, let sign = peek, sign == "+" || sign == "-" { index += 1 }
        let integerDigits = readDigits()
        var fractionDigits = 0
        if peek == "." {
            index += 1
            fractionDigits = readDigits()
        }
        guard integerDigits + fractionDigits > 0 else {
            index = start
            return nil
        }
        if let marker = peek, marker == "e" || marker == "E" {
            let beforeExponent = index
            index += 1
            if let sign = peek, sign == "+" || sign == "-" { index += 1 }
            if readDigits() == 0 { index = beforeExponent }
        }
        guard let value = Double(String(characters[start..<index])), value.isFinite else {
            index = start
            return nil
        }
        // A name character straight after the number (`4abc`) means this was not a number after all.
        if let next = peek, Self.isNameCharacter(next), next != "-" {
            index = start
            return nil
        }
        return value
    }

    private mutating func readDigits() -> Int {
        var count = 0
        while let character = peek, character.isASCII, character.isNumber {
            index += 1
            count += 1
        }
        return count
    }

    private mutating func readOperator() -> GateRequirement.Operator? {
        for candidate in [GateRequirement.Operator.atLeast, .atMost, .equal, .greater, .less] {
            let symbol = Array(candidate.rawValue)
            if index + symbol.count <= characters.count, Array(characters[index..<index + symbol.count]) == symbol {
                index += symbol.count
                return candidate
            }
        }
        return nil
    }

    private mutating func readName() -> String {
        let start = index
        while let character = peek, Self.isNameCharacter(character) { index += 1 }
        return String(characters[start..<index])
    }

    private mutating func skipWhitespace() {
        while let character = peek, character.isWhitespace { index += 1 }
    }

    private mutating func take(_ character: Character) -> Bool {
        guard peek == character else { return false }
        index += 1
        return true
    }

    private var peek: Character? { index < characters.count ? characters[index] : nil }

    static func isNameCharacter(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || "_@.-".contains(character)
    }

    private func failure(_ expected: String) -> GateError {
        .invalidRequirement(clause: clause, position: position, expected: expected)
    }
}
