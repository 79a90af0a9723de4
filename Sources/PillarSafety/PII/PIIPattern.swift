import Foundation

/// A compiled regular expression that can live in a `static let`.
/// `NSRegularExpression` is immutable and documented as safe to use from several threads.
struct PIIPattern: @unchecked Sendable {
    let regex: NSRegularExpression

    init(_ pattern: String, caseInsensitive: Bool = false) {
        var options: NSRegularExpression.Options = []
        if caseInsensitive { options.insert(.caseInsensitive) }
        do {
            regex = try NSRegularExpression(pattern: pattern, options: options)
        } catch {
            preconditionFailure("invalid PII pattern \(pattern): \(error)")
        }
    }

    /// Every match, with its capture groups converted to `String` ranges (nil when a group did not take part).
    func matches(in text: String) -> [[Range<String.Index>?]] {
        let whole = NSRange(text.startIndex..<text.endIndex, in: text)
        return regex.matches(in: text, range: whole).map { result in
            (0..<result.numberOfRanges).map { index in
                let nsRange = result.range(at: index)
                return nsRange.location == NSNotFound ? nil : Range(nsRange, in: text)
            }
        }
    }

    /// Whether the pattern matches anywhere in `text`.
    func isMatch(_ text: some StringProtocol) -> Bool {
        let string = String(text)
        return regex.firstMatch(in: string, range: NSRange(string.startIndex..<string.endIndex, in: string)) != nil
    }
}

enum TextWindow {
    /// Up to `count` characters immediately before `index`.
    static func before(_ index: String.Index, in text: String, count: Int) -> Substring {
        let start = text.index(index, offsetBy: -count, limitedBy: text.startIndex) ?? text.startIndex
        return text[start..<index]
    }

    /// Up to `count` characters immediately after `index`.
    static func after(_ index: String.Index, in text: String, count: Int) -> Substring {
        let end = text.index(index, offsetBy: count, limitedBy: text.endIndex) ?? text.endIndex
        return text[index..<end]
    }
}
