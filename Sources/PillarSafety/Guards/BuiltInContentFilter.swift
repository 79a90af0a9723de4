import Foundation

/// Lexicon- and phrase-pattern-based content classifier (en, with common de/fr/es terms).
/// Deterministic, offline, all patterns precompiled once per process.
public struct BuiltInContentFilter: ContentClassifier {
    static let lexicons: [CategoryLexicon] = [
        ViolenceLexicon.lexicon, HateLexicon.lexicon, SexualLexicon.lexicon, SelfHarmLexicon.lexicon,
    ]

    private let blocklist: Blocklist

    /// - Parameter blocklist: tenant terms and phrases; case- and accent-insensitive, whole words;
    ///   any hit is reported as `.blocklist` at `.high`.
    public init(blocklist: [String] = []) {
        self.blocklist = Blocklist(blocklist)
    }

    /// The folded block list terms in use.
    public var blocklistTerms: [String] { blocklist.terms }

    public func classify(_ text: String) async throws -> ContentVerdict {
        classifySync(text)
    }

    public func classifySync(_ text: String) -> ContentVerdict {
        guard !text.isEmpty else { return ContentVerdict() }
        let folded = FoldedText(text)
        var findings: [ContentFinding] = []
        var sexualRanges: [(NSRange, Severity)] = []
        for lexicon in Self.lexicons {
            for hit in lexicon.findings(in: folded) {
                findings.append(
                    ContentFinding(
                        category: lexicon.category, severity: hit.severity,
                        range: folded.originalRange(hit.range), rule: hit.rule))
                if lexicon.category == .sexual { sexualRanges.append((hit.range, hit.severity)) }
            }
        }
        findings.append(contentsOf: Self.minorFindings(folded, sexual: sexualRanges))
        findings.append(contentsOf: blocklist.findings(in: folded))
        findings.sort { a, b in
            a.range.lowerBound != b.range.lowerBound ? a.range.lowerBound < b.range.lowerBound : a.severity > b.severity
        }
        return ContentVerdict(findings: findings)
    }

    /// Anything sexual involving minors is always `.high`.
    static func minorFindings(_ text: FoldedText, sexual: [(NSRange, Severity)]) -> [ContentFinding] {
        let s = text.folded
        var out: [ContentFinding] = []
        for r in SexualLexicon.childAbuseMaterial.matches(s) {
            out.append(ContentFinding(category: .sexual, severity: .high, range: text.originalRange(r), rule: "sexual.minors"))
        }
        let minors = SexualLexicon.minors.matches(s)
        guard !minors.isEmpty else { return out }
        let exempt = SexualLexicon.lexicon.exemptions.flatMap { $0.matches(s) }
        var sexualAnchors = sexual.filter { $0.1 >= .medium }.map(\.0)
        // Sex education and abuse-prevention vocabulary next to "children" is not sexual content.
        sexualAnchors.append(
            contentsOf: SexualLexicon.nudity.matches(s).filter { a in
                !exempt.contains { NSIntersectionRange($0, a).length > 0 }
            })
        let window = 80
        for m in minors {
            for a in sexualAnchors {
                let gapAfter = m.location - (a.location + a.length)
                let gapBefore = a.location - (m.location + m.length)
                if max(gapAfter, gapBefore) <= window {
                    let lo = min(a.location, m.location)
                    let hi = max(a.location + a.length, m.location + m.length)
                    let r = NSRange(location: lo, length: hi - lo)
                    out.append(
                        ContentFinding(category: .sexual, severity: .high, range: text.originalRange(r), rule: "sexual.minors"))
                    break
                }
            }
        }
        return out
    }
}
