/// Unified diffs of texts by lines, in the format of `diff -u`.
public enum TextDiff {
    /// A unified diff from `old` to `new`: `--- oldLabel`, `+++ newLabel`, then
    /// `@@ -a,b +c,d @@` hunks of ` `/`-`/`+` lines with `context` lines of context;
    /// changes at most `2 * context` lines apart share a hunk. A last line without a
    /// newline is followed by `\ No newline at end of file`, as `diff` does. Identical
    /// inputs give the empty string. The edit script is minimal (Myers' algorithm).
    public static func unified(from old: String, to new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        let a = lines(of: old)
        let b = lines(of: new)
        let ops = MyersDiff.editScript(a, b)
        guard ops.contains(where: { $0 != .equal }) else { return "" }
        let context = max(0, context)

        var output = "--- \(oldLabel)\n+++ \(newLabel)\n"
        // Each op paired with its positions in a and b before it applies.
        var positions: [(op: MyersDiff.Op, i: Int, j: Int)] = []
        positions.reserveCapacity(ops.count)
        var i = 0
        var j = 0
        for op in ops {
            positions.append((op, i, j))
            switch op {
            case .equal:
                i += 1
                j += 1
            case .delete: i += 1
            case .insert: j += 1
            }
        }
        let changes = positions.indices.filter { positions[$0].op != .equal }
        var hunkStart = 0
        while hunkStart < changes.count {
            // Extend the hunk while the next change is within 2 * context equal ops.
            var hunkEnd = hunkStart
            while hunkEnd + 1 < changes.count, changes[hunkEnd + 1] - changes[hunkEnd] - 1 <= 2 * context {
                hunkEnd += 1
            }
            let first = max(0, changes[hunkStart] - context)
            let last = min(positions.count - 1, changes[hunkEnd] + context)
            var oldCount = 0
            var newCount = 0
            var body = ""
            for k in first...last {
                let (op, i, j) = positions[k]
                switch op {
                case .equal:
                    oldCount += 1
                    newCount += 1
                    body += " " + a[i].rendered
                case .delete:
                    oldCount += 1
                    body += "-" + a[i].rendered
                case .insert:
                    newCount += 1
                    body += "+" + b[j].rendered
                }
            }
            let oldStart = positions[first].i
            let newStart = positions[first].j
            output += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n" + body
            hunkStart = hunkEnd + 1
        }
        return output
    }

    /// `diff`'s range: 1-based start and a count, `,count` left out when it is 1; an
    /// empty range names the line before it.
    private static func range(_ start: Int, _ count: Int) -> String {
        switch count {
        case 0: return "\(start),0"
        case 1: return "\(start + 1)"
        default: return "\(start + 1),\(count)"
        }
    }

    struct Line: Hashable {
        var text: Substring
        var hasNewline: Bool

        var rendered: String {
            hasNewline ? text + "\n" : text + "\n\\ No newline at end of file\n"
        }
    }

    /// Lines split on "\n"; a final line without "\n" differs from the same text with it.
    static func lines(of text: String) -> [Line] {
        var result: [Line] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if let newline = rest.firstIndex(of: "\n") {
                result.append(Line(text: rest[..<newline], hasNewline: true))
                rest = rest[rest.index(after: newline)...]
            } else {
                result.append(Line(text: rest, hasNewline: false))
                rest = rest[rest.endIndex...]
            }
        }
        return result
    }
}
