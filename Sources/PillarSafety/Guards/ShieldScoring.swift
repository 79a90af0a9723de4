import Foundation

/// Outcome of a prompt-shield check.
public struct ShieldResult: Sendable, Hashable {
    public var detected: Bool
    /// Combined score in 0...1.
    public var score: Double
    /// Names of the rules that fired, sorted.
    public var signals: [String]

    public init(detected: Bool, score: Double, signals: [String]) {
        self.detected = detected
        self.score = score
        self.signals = signals
    }
}

/// A weighted shield signal. Scores combine as independent evidence: 1 - Π(1 - wᵢ), one weight per rule name.
struct ShieldRule: Sendable {
    let name: String
    let weight: Double
    let pattern: GuardPattern

    init(_ name: String, _ weight: Double, _ source: String) {
        self.name = name
        self.weight = weight
        self.pattern = GuardPattern(source)
    }
}

struct SignalSet {
    private(set) var weights: [String: Double] = [:]

    mutating func add(_ name: String, _ weight: Double) {
        weights[name] = max(weights[name] ?? 0, weight)
    }

    mutating func run(_ rules: [ShieldRule], on texts: [String]) {
        for rule in rules where texts.contains(where: { rule.pattern.test($0) }) {
            add(rule.name, rule.weight)
        }
    }

    var isEmpty: Bool { weights.isEmpty }
    func has(prefix: String) -> Bool { weights.keys.contains { $0.hasPrefix(prefix) } }

    func score(damping: Double) -> Double {
        let raw = 1 - weights.values.reduce(1.0) { $0 * (1 - $1) }
        return min(1, max(0, raw * damping))
    }

    func result(threshold: Double, damping: Double) -> ShieldResult {
        let s = score(damping: damping)
        let rounded = (s * 1000).rounded() / 1000
        return ShieldResult(detected: s >= threshold, score: rounded, signals: weights.keys.sorted())
    }
}

/// Text transforms used to see through simple obfuscation.
enum ShieldText {
    /// Undo common leetspeak inside words that also contain letters ("1gn0r3" → "ignore"); numbers stay.
    static func deLeet(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var word = ""
        func flush() {
            if word.contains(where: { $0.isLetter }) && word.contains(where: { "0134578@$".contains($0) }) {
                for c in word {
                    switch c {
                    case "0": out.append("o")
                    case "1": out.append("i")
                    case "3": out.append("e")
                    case "4", "@": out.append("a")
                    case "5", "$": out.append("s")
                    case "7": out.append("t")
                    case "8": out.append("b")
                    default: out.append(c)
                    }
                }
            } else {
                out += word
            }
            word = ""
        }
        for c in s {
            if c.isLetter || c.isNumber || c == "@" || c == "$" {
                word.append(c)
            } else {
                flush()
                out.append(c)
            }
        }
        flush()
        return out
    }

    static let base64Blob = GuardPattern(#"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])"#)

    /// Decoded text of base64 blobs that decode to mostly printable UTF-8.
    static func decodedBase64(_ original: String) -> [String] {
        var out: [String] = []
        let ns = original as NSString
        for r in base64Blob.matches(original).prefix(8) {
            var blob = ns.substring(with: r)
            while blob.count % 4 != 0 { blob += "=" }
            guard let data = Data(base64Encoded: blob), let text = String(data: data, encoding: .utf8) else { continue }
            let printable = text.unicodeScalars.filter {
                $0.properties.isAlphabetic || $0 == " " || $0.properties.generalCategory == .otherPunctuation
            }.count
            if text.count >= 8, Double(printable) / Double(max(text.unicodeScalars.count, 1)) > 0.85 {
                out.append(FoldedText(text).folded)
            }
        }
        return out
    }

    static let url = GuardPattern(#"https?://\S+|\b[\w.-]+\.(?:com|net|org|io|de|es|fr|co|example)\S*"#)

    /// Text with URLs removed (so host names such as attacker.example don't look like prose).
    static func withoutURLs(_ s: String) -> String {
        url.regex.stringByReplacingMatches(
            in: s, options: [], range: NSRange(location: 0, length: (s as NSString).length), withTemplate: " ")
    }
}
