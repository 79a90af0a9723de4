/// Refuses YAML that could nest deep enough to exhaust the stack while Yams builds its tree (the builder
/// recurses once per level). Nesting is bounded without parsing: block collections nest only by
/// indentation and `- ` indicators at the start of a line, and flow collections only by `[` and `{`.
enum YAMLNestingGuard {
    static let prefixWidthLimit = 64
    static let flowOpeningLimit = 256

    static func problem(in yaml: String) -> String? {
        var openings = 0
        for line in yaml.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            var width = 0
            var rest = Substring(line)
            while let first = rest.first {
                if first == " " {
                    width += 1
                    rest = rest.dropFirst()
                } else if (first == "-" || first == "?") && (rest.dropFirst().first == " " || rest.dropFirst().first == "\t") {
                    width += 2
                    rest = rest.dropFirst(2)
                } else {
                    break
                }
            }
            if width > prefixWidthLimit {
                return "a line is indented more than \(prefixWidthLimit) columns (counting '- ' indicators)"
            }
            openings += line.reduce(0) { $0 + ($1 == "[" || $1 == "{" ? 1 : 0) }
        }
        if openings > flowOpeningLimit {
            return "the YAML has more than \(flowOpeningLimit) '[' and '{'"
        }
        return nil
    }
}
