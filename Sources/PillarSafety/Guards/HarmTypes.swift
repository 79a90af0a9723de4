import Foundation

/// Harm categories reported by the content filter.
public enum HarmCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case hate, sexual, violence
    case selfHarm = "self_harm"
    case blocklist
}

/// Azure AI Content Safety's four-level severity scale (0, 2, 4, 6).
public enum Severity: Int, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case safe = 0
    case low = 2
    case medium = 4
    case high = 6

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The name used in data files ("safe", "low", "medium", "high").
    public var label: String {
        switch self {
        case .safe: "safe"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        }
    }

    public init?(label: String) {
        guard let s = Severity.allCases.first(where: { $0.label == label.lowercased() }) else { return nil }
        self = s
    }
}

/// One rule hit inside the classified text.
public struct ContentFinding: Sendable, Hashable {
    public var category: HarmCategory
    public var severity: Severity
    /// Range in the text that was classified.
    public var range: Range<String.Index>
    /// Name of the rule that fired, e.g. `violence.threat`.
    public var rule: String

    public init(category: HarmCategory, severity: Severity, range: Range<String.Index>, rule: String) {
        self.category = category
        self.severity = severity
        self.range = range
        self.rule = rule
    }
}

/// Result of classifying a text.
public struct ContentVerdict: Sendable, Hashable {
    /// Every category, `.safe` when nothing was found.
    public var severities: [HarmCategory: Severity]
    public var findings: [ContentFinding]

    public init(severities: [HarmCategory: Severity] = [:], findings: [ContentFinding] = []) {
        var all: [HarmCategory: Severity] = [:]
        for c in HarmCategory.allCases { all[c] = severities[c] ?? .safe }
        self.severities = all
        self.findings = findings
    }

    /// Builds a verdict whose severities are the maximum over the findings.
    public init(findings: [ContentFinding]) {
        var sev: [HarmCategory: Severity] = [:]
        for f in findings where f.severity > (sev[f.category] ?? .safe) { sev[f.category] = f.severity }
        self.init(severities: sev, findings: findings)
    }

    public func severity(_ category: HarmCategory) -> Severity { severities[category] ?? .safe }

    /// Categories whose severity is >= the threshold; a category without a threshold never blocks.
    public func exceeds(_ thresholds: [HarmCategory: Severity]) -> [HarmCategory] {
        HarmCategory.allCases.filter { c in
            guard let t = thresholds[c] else { return false }
            return severity(c) >= t
        }
    }
}

/// Anything that can grade text on the four harm categories.
public protocol ContentClassifier: Sendable {
    func classify(_ text: String) async throws -> ContentVerdict
}
