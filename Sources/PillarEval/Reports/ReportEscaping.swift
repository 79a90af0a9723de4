import Foundation

/// Makes user-written text (questions, item ids, prompt names, warnings) safe to place in a report: it shows
/// as the text it is and never as markup, a table break or a script.
public enum ReportEscaping {
    /// For a Markdown table cell, heading or list item: line breaks become `<br>` (the only markup added), and
    /// characters Markdown would read as markup (`|`, `<`, `*`, `[`, ...) are backslash-escaped.
    public static func markdown(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for line in lines(of: text).enumerated() {
            if line.offset > 0 { escaped += "<br>" }
            // Scalar by scalar: a `<` followed by a combining mark is one Character but still a `<`.
            for scalar in line.element.unicodeScalars {
                if markdownSpecials.contains(scalar) { escaped.unicodeScalars.append("\\") }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// For HTML text or a quoted attribute value; line breaks become `<br>` when `breakLines` is set, a space
    /// otherwise.
    public static func html(_ text: String, breakLines: Bool = false) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for line in lines(of: text).enumerated() {
            if line.offset > 0 { escaped += breakLines ? "<br>" : " " }
            for scalar in line.element.unicodeScalars {
                switch scalar {
                case "&": escaped += "&amp;"
                case "<": escaped += "&lt;"
                case ">": escaped += "&gt;"
                case "\"": escaped += "&quot;"
                case "'": escaped += "&#39;"
                default: escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    /// JSON text made safe inside `<script type="application/json">`: `<`, `>` and `&` (which JSON only has
    /// inside strings) become `\u003c`, `\u003e`, `\u0026`, so no `</script>` or `<!--` can end or bend the
    /// block, and U+2028/U+2029 are escaped for older JavaScript parsers.
    public static func jsonForScriptElement(_ json: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(json.utf8.count)
        for scalar in json.unicodeScalars {
            switch scalar {
            case "<": escaped += "\\u003c"
            case ">": escaped += "\\u003e"
            case "&": escaped += "\\u0026"
            case "\u{2028}": escaped += "\\u2028"
            case "\u{2029}": escaped += "\\u2029"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// JavaScript source made safe to inline in a `<script>` element: the `<` of any `</script` or `<!--`
    /// (which would end the element or switch the HTML parser into its escaped script state) becomes `\x3C`,
    /// which means `<` in the strings, templates and regular expressions where such text can legitimately
    /// occur in a script.
    public static func scriptForInlining(_ source: String) -> String {
        guard source.contains("<") else { return source }
        var escaped = ""
        escaped.reserveCapacity(source.utf8.count)
        let scalars = Array(source.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "<" && (startsWith(scalars, at: index + 1, "/script") || startsWith(scalars, at: index + 1, "!--")) {
                escaped += "\\x3C"
            } else {
                escaped.unicodeScalars.append(scalar)
            }
            index += 1
        }
        return escaped
    }

    /// At most `limit` characters, with `…` when cut: long questions stay readable in a table (the JSON has
    /// them whole).
    public static func truncated(_ text: String, to limit: Int) -> String {
        guard limit > 0, text.count > limit else { return text }
        return String(text.prefix(limit)) + "…"
    }

    private static let markdownSpecials: Set<Unicode.Scalar> = ["\\", "|", "`", "*", "[", "]", "<", ">", "~", "&"]

    /// The text split at every kind of line break, with control characters (which no report shows, and which
    /// a terminal could obey) replaced by U+FFFD and tabs by spaces.
    private static func lines(of text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        var previousWasCarriageReturn = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousWasCarriageReturn {
                previousWasCarriageReturn = false
                continue
            }
            previousWasCarriageReturn = scalar == "\r"
            switch scalar.value {
            case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029:
                lines.append(current)
                current = ""
            case 0x09:
                current.unicodeScalars.append(" ")
            case 0x00...0x1F, 0x7F...0x9F:
                current.unicodeScalars.append("\u{FFFD}")
            default:
                current.unicodeScalars.append(scalar)
            }
        }
        lines.append(current)
        return lines
    }

    private static func startsWith(_ scalars: [Unicode.Scalar], at start: Int, _ word: String) -> Bool {
        let wanted = Array(word.unicodeScalars)
        guard start + wanted.count <= scalars.count else { return false }
        // The HTML parser matches tag names without ASCII case, and only ASCII.
        for (offset, expected) in wanted.enumerated() {
            let value = scalars[start + offset].value
            let lowered = (0x41...0x5A).contains(value) ? value + 0x20 : value
            if lowered != expected.value { return false }
        }
        return true
    }
}
