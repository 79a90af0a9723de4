/// Hides every one-line `${...}` from the YAML parser so that unquoted expressions also work inside
/// flow collections (`{q: ${inputs.question}}`), where `{` and `}` would otherwise be YAML syntax.
///
/// Each expression is replaced by private-use characters of the same length (so lines and columns
/// reported by the YAML parser are unchanged) and put back into every scalar read afterwards.
struct ExpressionShield: Sendable {
    private static let start: Unicode.Scalar = "\u{E000}"
    private static let pad: Unicode.Scalar = "\u{E001}"
    // Index markers stay in U+E100...U+EFFF: libyaml only accepts BMP private-use characters.
    private static let indexBase: UInt32 = 0xE100
    private static let maxExpressions = 0xEFF

    private(set) var expressions: [String] = []
    let shielded: String

    init(_ yaml: String) {
        var expressions: [String] = []
        // A document that already uses our private-use characters is left alone.
        let usesReserved = yaml.unicodeScalars.contains {
            $0 == Self.start || $0 == Self.pad || (0xE000...0xEFFF).contains($0.value)
        }
        guard !usesReserved else {
            self.shielded = yaml
            return
        }
        let scalars = Array(yaml.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "$", index + 1 < scalars.count, scalars[index + 1] == "{",
                let end = Self.closing(in: scalars, from: index + 2), end > index + 2,
                expressions.count < Self.maxExpressions
            {
                let expression = String(String.UnicodeScalarView(scalars[index...end]))
                output.append(Self.start)
                output.append(Unicode.Scalar(Self.indexBase + UInt32(expressions.count))!)
                for _ in 0..<(end - index - 1) { output.append(Self.pad) }
                expressions.append(expression)
                index = end + 1
            } else {
                output.append(scalars[index])
                index += 1
            }
        }
        self.expressions = expressions
        self.shielded = String(output)
    }

    /// The index of the `}` closing an expression on the same line, if any.
    private static func closing(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start
        while index < scalars.count {
            switch scalars[index] {
            case "}": return index
            case "\n", "\r", "{", "$": return nil
            default: index += 1
            }
        }
        return nil
    }

    /// Puts the original expressions back into a string read from the shielded document.
    func restore(_ text: String) -> String {
        guard !expressions.isEmpty, text.unicodeScalars.contains(Self.start) else { return text }
        var output = String.UnicodeScalarView()
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == Self.start, let marker = iterator.next(), marker.value >= Self.indexBase,
                Int(marker.value - Self.indexBase) < expressions.count
            {
                output.append(contentsOf: expressions[Int(marker.value - Self.indexBase)].unicodeScalars)
            } else if scalar != Self.pad {
                output.append(scalar)
            }
        }
        return String(output)
    }
}
