/// One comparison a canary step must pass: the candidate's signal may be worse than the stable version's
/// by at most `tolerance`, and, when `threshold` is set, must also be on its good side.
public struct CanaryCheck: Sendable, Hashable, Codable {
    public var signal: QualitySignal
    public var tolerance: Double
    public var threshold: Double?

    public init(signal: QualitySignal, tolerance: Double, threshold: Double? = nil) {
        self.signal = signal
        self.tolerance = tolerance
        self.threshold = threshold
    }

    /// What a canary checks unless told otherwise: the judges' two scores, errors and refusals.
    public static let defaults: [CanaryCheck] = [
        CanaryCheck(signal: .groundedness, tolerance: 0.1),
        CanaryCheck(signal: .relevance, tolerance: 0.1),
        CanaryCheck(signal: .errorRate, tolerance: 0.05),
        CanaryCheck(signal: .refusalRate, tolerance: 0.1),
    ]
}

/// How a canary analysis moves: the candidate's weights step by step, each step held `intervalSeconds` and
/// passed only when every check holds on at least `minimumSamples` answers from each side; `failureLimit`
/// failed checks roll it back.
public struct CanaryAnalysisSpec: Sendable, Hashable, Codable {
    public var steps: [Int]
    public var intervalSeconds: Int
    public var minimumSamples: Int
    public var failureLimit: Int
    public var checks: [CanaryCheck]

    public init(
        steps: [Int] = [5, 25, 50], intervalSeconds: Int = 300, minimumSamples: Int = 20, failureLimit: Int = 2,
        checks: [CanaryCheck] = CanaryCheck.defaults
    ) {
        self.steps = steps
        self.intervalSeconds = intervalSeconds
        self.minimumSamples = minimumSamples
        self.failureLimit = failureLimit
        self.checks = checks
    }

    public struct Invalid: Error, Sendable, Hashable {
        public var code: String
        public var message: String
    }

    public func validated() throws(Invalid) -> CanaryAnalysisSpec {
        guard !steps.isEmpty, steps.count <= 20, steps.allSatisfy({ (1...99).contains($0) }),
            zip(steps, steps.dropFirst()).allSatisfy({ $0 < $1 })
        else {
            throw Invalid(
                code: "invalid_steps", message: "steps must be 1-20 rising weights, each 1-99 (the last step promotes to 100).")
        }
        guard (1...86_400).contains(intervalSeconds) else {
            throw Invalid(code: "invalid_interval", message: "intervalSeconds must be 1-86400.")
        }
        guard (1...100_000).contains(minimumSamples) else {
            throw Invalid(code: "invalid_minimum_samples", message: "minimumSamples must be 1-100000.")
        }
        guard (1...100).contains(failureLimit) else {
            throw Invalid(code: "invalid_failure_limit", message: "failureLimit must be 1-100.")
        }
        guard !checks.isEmpty, checks.count <= 20 else {
            throw Invalid(code: "invalid_checks", message: "an analysis needs 1-20 checks.")
        }
        for check in checks {
            guard check.signal != .queryDrift else {
                throw Invalid(
                    code: "invalid_checks",
                    message: "query drift compares time windows, not versions; it cannot be a canary check.")
            }
            guard check.tolerance.isFinite, check.tolerance >= 0, check.threshold?.isFinite ?? true else {
                throw Invalid(
                    code: "invalid_checks",
                    message: "a check's tolerance must be a finite number at least 0, and its threshold finite.")
            }
        }
        return self
    }

    /// Whether a check needs the judges' scores, which pause the analysis while the judge is down.
    public var needsJudge: Bool { checks.contains { $0.signal == .groundedness || $0.signal == .relevance } }
}
