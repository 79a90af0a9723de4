/// Test helper: applies a unified diff (as `diff -u` writes it) to a text, checking every
/// context and removed line, and summarises its hunks.
enum UnifiedDiffApplier {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Lines of `text` with their "\n" kept.
    static func lines(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == "\n" {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// The hunks without the two header lines.
    static func hunks(_ diff: String) -> String {
        lines(diff).drop { !$0.hasPrefix("@@") }.joined()
    }

    /// Counts of "-" and "+" lines in the hunks.
    static func changeCounts(_ diff: String) -> (removed: Int, added: Int) {
        let body = lines(hunks(diff))
        return (body.filter { $0.hasPrefix("-") }.count, body.filter { $0.hasPrefix("+") }.count)
    }

    static func apply(_ diff: String, to old: String) throws -> String {
        let oldLines = lines(old)
        var body = lines(hunks(diff))
        // Fold "\ No newline at end of file" into the line before it.
        var index = 0
        while index < body.count {
            if body[index].hasPrefix("\\") {
                guard index > 0, body[index - 1].hasSuffix("\n") else { throw Failure(description: "stray marker") }
                body[index - 1].removeLast()
                body.remove(at: index)
            } else {
                index += 1
            }
        }
        var output: [String] = []
        var position = 0
        var line = 0
        while line < body.count {
            let header = body[line]
            guard header.hasPrefix("@@ -") else { throw Failure(description: "bad hunk header \(header)") }
            let fields = header.split(separator: " ")
            let (oldStart, oldCount) = try range(fields[1].dropFirst())
            let (_, newCount) = try range(fields[2].dropFirst())
            let start = oldCount == 0 ? oldStart : oldStart - 1
            guard start >= position, start <= oldLines.count else { throw Failure(description: "hunk out of order \(header)") }
            output.append(contentsOf: oldLines[position..<start])
            position = start
            line += 1
            var seenOld = 0
            var seenNew = 0
            while line < body.count, !body[line].hasPrefix("@@") {
                let text = String(body[line].dropFirst())
                switch body[line].first {
                case " ", "-":
                    guard position < oldLines.count, oldLines[position] == text else {
                        throw Failure(description: "line \(position + 1) does not match \(body[line].debugDescription)")
                    }
                    position += 1
                    seenOld += 1
                    if body[line].first == " " {
                        output.append(text)
                        seenNew += 1
                    }
                case "+":
                    output.append(text)
                    seenNew += 1
                default:
                    throw Failure(description: "bad line \(body[line].debugDescription)")
                }
                line += 1
            }
            guard seenOld == oldCount, seenNew == newCount else { throw Failure(description: "counts wrong in \(header)") }
        }
        output.append(contentsOf: oldLines[position...])
        return output.joined()
    }

    private static func range(_ text: Substring) throws -> (Int, Int) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard let start = Int(parts[0]) else { throw Failure(description: "bad range \(text)") }
        if parts.count == 1 { return (start, 1) }
        guard parts.count == 2, let count = Int(parts[1]) else { throw Failure(description: "bad range \(text)") }
        return (start, count)
    }
}
