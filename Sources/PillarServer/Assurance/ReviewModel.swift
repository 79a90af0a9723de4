import Foundation

/// The five pillars of the Well-Architected Framework for AI workloads, as the review groups its checks.
public enum ReviewPillar: String, Sendable, Hashable, Codable, CaseIterable {
    case reliability, security, cost, operations, performance

    public var title: String {
        switch self {
        case .reliability: "Reliability"
        case .security: "Security"
        case .cost: "Cost Optimization"
        case .operations: "Operational Excellence"
        case .performance: "Performance Efficiency"
        }
    }
}

public enum ReviewStatus: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case pass, warn, fail
    case notApplicable = "not_applicable"

    /// Worse statuses sort later, so `max` of a set is its worst.
    var severity: Int {
        switch self {
        case .notApplicable: 0
        case .pass: 1
        case .warn: 2
        case .fail: 3
        }
    }

    public static func < (lhs: ReviewStatus, rhs: ReviewStatus) -> Bool { lhs.severity < rhs.severity }
}

/// One value a check read, and where it read it: `configuration` (with the key), `database`, `telemetry`,
/// `environment` or `process`.
public struct ReviewEvidence: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public var source: String

    public init(_ name: String, _ value: String, source: String) {
        self.name = name
        self.value = value
        self.source = source
    }

    static func configuration(_ key: String, _ value: some CustomStringConvertible) -> ReviewEvidence {
        ReviewEvidence(key, value.description, source: "configuration")
    }

    static func database(_ name: String, _ value: some CustomStringConvertible) -> ReviewEvidence {
        ReviewEvidence(name, value.description, source: "database")
    }

    static func telemetry(_ name: String, _ value: some CustomStringConvertible) -> ReviewEvidence {
        ReviewEvidence(name, value.description, source: "telemetry")
    }

    static func environment(_ name: String, _ value: some CustomStringConvertible) -> ReviewEvidence {
        ReviewEvidence(name, value.description, source: "environment")
    }

    static func process(_ name: String, _ value: some CustomStringConvertible) -> ReviewEvidence {
        ReviewEvidence(name, value.description, source: "process")
    }
}

/// One check's verdict, as the API, the CLI and any console print it.
public struct ReviewCheckResult: Sendable, Hashable, Codable {
    public var id: String
    public var pillar: ReviewPillar
    public var title: String
    /// The framework's design principle, or the assessment question, the check answers.
    public var principle: String
    public var status: ReviewStatus
    public var evidence: [ReviewEvidence]
    /// The configuration key or command that fixes a warning or failure.
    public var fix: String
    /// Set when the configuration accepts this check's finding (`assurance.review.exceptions`), with its reason.
    public var exception: String?
}

/// A whole review: every check, and how many ended each way.
public struct ReviewReport: Sendable, Hashable, Codable {
    public var generatedAt: Double
    public var version: String
    public var summary: [String: Int]
    public var checks: [ReviewCheckResult]

    public init(generatedAt: Double, version: String, checks: [ReviewCheckResult]) {
        self.generatedAt = generatedAt
        self.version = version
        self.checks = checks
        var summary = Dictionary(uniqueKeysWithValues: ReviewStatus.allCases.map { ($0.rawValue, 0) })
        for check in checks { summary[check.status.rawValue, default: 0] += 1 }
        self.summary = summary
    }

    /// Whether a CI gate at `threshold` (`warn`: warnings and failures; `fail`: failures) fails.
    public func fails(at threshold: ReviewStatus) -> Bool {
        checks.contains { $0.status >= threshold && $0.status != .notApplicable }
    }
}

/// What one check concluded, before the catalogue adds its id, principle and fix.
struct ReviewOutcome: Sendable {
    var status: ReviewStatus
    var evidence: [ReviewEvidence]

    static func pass(_ evidence: ReviewEvidence...) -> ReviewOutcome { .init(status: .pass, evidence: evidence) }
    static func warn(_ evidence: ReviewEvidence...) -> ReviewOutcome { .init(status: .warn, evidence: evidence) }
    static func fail(_ evidence: ReviewEvidence...) -> ReviewOutcome { .init(status: .fail, evidence: evidence) }
    static func notApplicable(_ evidence: ReviewEvidence...) -> ReviewOutcome {
        .init(status: .notApplicable, evidence: evidence)
    }

    static func given(_ status: ReviewStatus, _ evidence: [ReviewEvidence]) -> ReviewOutcome {
        .init(status: status, evidence: evidence)
    }
}

/// A check as data: what it is, what it answers, how to fix it, and how it decides.
struct ReviewCheck: Sendable {
    var id: String
    var pillar: ReviewPillar
    var title: String
    var principle: String
    var fix: String
    /// Whether `assurance.review.exceptions` may accept its finding (never for leaks, broken chains or faults).
    var waivable: Bool = true
    var evaluate: @Sendable (ReviewInputs) -> ReviewOutcome

    func run(_ inputs: ReviewInputs) -> ReviewCheckResult {
        var outcome = evaluate(inputs)
        var exception: String?
        if waivable, outcome.status == .warn || outcome.status == .fail,
            let reason = inputs.configuration.assurance.review.exceptions[id]
        {
            exception = reason
            outcome.evidence.append(
                .configuration("assurance.review.exceptions.\(id)", "accepted (was \(outcome.status.rawValue)): \(reason)"))
            outcome.status = .pass
        }
        return ReviewCheckResult(
            id: id, pillar: pillar, title: title, principle: principle, status: outcome.status,
            evidence: outcome.evidence, fix: fix, exception: exception)
    }
}
