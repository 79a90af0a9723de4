import Foundation

/// A precompiled regular expression, matched against folded (lower-case, accent-free) text.
/// Patterns are written without nested unbounded quantifiers so matching stays linear in practice.
struct GuardPattern: @unchecked Sendable {
    // NSRegularExpression is immutable after creation and documented as thread safe.
    let regex: NSRegularExpression

    init(_ source: String, caseInsensitive: Bool = false) {
        var opts: NSRegularExpression.Options = [.useUnicodeWordBoundaries]
        if caseInsensitive { opts.insert(.caseInsensitive) }
        do {
            regex = try NSRegularExpression(pattern: source, options: opts)
        } catch {
            fatalError("PillarSafety: invalid built-in pattern \(source): \(error)")
        }
    }

    /// `\b(a|b|c)\b` from a list of alternatives (already regex fragments).
    static func words(_ alternatives: [String]) -> String {
        "\\b(?:" + alternatives.joined(separator: "|") + ")\\b"
    }

    func matches(_ s: String, range: NSRange? = nil) -> [NSRange] {
        let ns = s as NSString
        let r = range ?? NSRange(location: 0, length: ns.length)
        return regex.matches(in: s, options: [], range: r).map(\.range)
    }

    func first(_ s: String, range: NSRange? = nil) -> NSRange? {
        let r = range ?? NSRange(location: 0, length: (s as NSString).length)
        return regex.firstMatch(in: s, options: [], range: r)?.range
    }

    func test(_ s: String, range: NSRange? = nil) -> Bool { first(s, range: range) != nil }
}

/// Helpers for building alternations.
extension Array where Element == String {
    var alt: String { "(?:" + joined(separator: "|") + ")" }
}
