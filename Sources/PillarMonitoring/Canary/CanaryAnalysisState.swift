import Foundation
import PillarCore

/// One check's result at a decision: both sides' values and how many answers they rest on.
public struct CanaryEvidence: Sendable, Hashable, Codable {
    public var signal: QualitySignal
    public var stable: Double?
    public var stableSamples: Int
    public var candidate: Double?
    public var candidateSamples: Int
    public var tolerance: Double
    public var threshold: Double?
    public var passed: Bool
    public var reason: String
}

public struct CanaryDecision: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable {
        case start, advance, promote, rollback, hold, pause, resume, abort
    }

    public var action: Action
    public var at: Date
    public var stepIndex: Int
    public var fromWeight: Int
    public var toWeight: Int
    public var failures: Int
    public var reason: String
    public var evidence: [CanaryEvidence]
}

/// Where an analysis stands. Pure: `ticked` takes the clock and both sides' answers and returns the next
/// state and, when something was decided, the decision.
public struct CanaryAnalysisState: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case running, paused, promoted
        case rolledBack = "rolled_back"
        case aborted
    }

    public var status: Status
    public var stepIndex: Int
    /// The candidate's weight now (0-100).
    public var weight: Int
    /// Answers from this moment on count for the current step.
    public var stepStartedAt: Date
    /// The last time the checks were run in this step; the next run waits an interval from it.
    public var checkedAt: Date
    public var failures: Int
    /// The newest decisions, at most `decisionsKept` (the audit log keeps them all).
    public var decisions: [CanaryDecision]

    static let decisionsKept = 50

    public static func started(spec: CanaryAnalysisSpec, at moment: Date) -> CanaryAnalysisState {
        var state = CanaryAnalysisState(
            status: .running, stepIndex: 0, weight: spec.steps[0], stepStartedAt: moment,
            checkedAt: moment, failures: 0, decisions: [])
        state.record(
            CanaryDecision(
                action: .start, at: moment, stepIndex: 0, fromWeight: 0, toWeight: spec.steps[0],
                failures: 0, reason: "started at \(spec.steps[0])%", evidence: []))
        return state
    }

    public var isActive: Bool { status == .running || status == .paused }

    public func aborted(at moment: Date, reason: String) -> (state: CanaryAnalysisState, decision: CanaryDecision) {
        var next = self
        next.status = .aborted
        next.weight = 0
        let decision = CanaryDecision(
            action: .abort, at: moment, stepIndex: stepIndex, fromWeight: weight, toWeight: 0,
            failures: failures, reason: reason, evidence: [])
        next.record(decision)
        return (next, decision)
    }

    public func ticked(
        spec: CanaryAnalysisSpec, now: Date, stable: [QualitySample], candidate: [QualitySample],
        judgeAvailable: Bool
    ) -> (state: CanaryAnalysisState, decision: CanaryDecision?) {
        var next = self
        switch status {
        case .promoted, .rolledBack, .aborted:
            return (self, nil)
        case .paused:
            guard judgeAvailable else { return (self, nil) }
            // Scores from before the pause may be missing; the step starts over on fresh answers.
            next.status = .running
            next.stepStartedAt = now
            next.checkedAt = now
            return next.deciding(.resume, at: now, toWeight: weight, reason: "the judge answers again; the step starts over")
        case .running:
            break
        }
        if spec.needsJudge, !judgeAvailable {
            next.status = .paused
            return next.deciding(
                .pause, at: now, toWeight: weight,
                reason: "the judge cannot be reached; holding at \(weight)% until it answers")
        }
        guard now.timeIntervalSince(checkedAt) >= Double(spec.intervalSeconds) else { return (self, nil) }
        next.checkedAt = now
        let evidence = spec.checks.map { Self.evaluate($0, spec: spec, stable: stable, candidate: candidate) }
        let short = evidence.filter { $0.candidateSamples < spec.minimumSamples || $0.stableSamples < spec.minimumSamples }
        let failed = evidence.filter { !$0.passed && !short.contains($0) }
        if !failed.isEmpty {
            next.failures += 1
            // The next check rests on new answers: one bad stretch must not count twice.
            next.stepStartedAt = now
            let reasons = failed.map(\.reason).joined(separator: "; ")
            guard next.failures >= spec.failureLimit else {
                return next.deciding(
                    .hold, at: now, toWeight: weight, evidence: evidence,
                    reason: "failed check \(next.failures) of \(spec.failureLimit) allowed: \(reasons)")
            }
            next.status = .rolledBack
            next.weight = 0
            return next.deciding(
                .rollback, at: now, toWeight: 0, evidence: evidence,
                reason: "\(next.failures) failed checks reached the limit: \(reasons)")
        }
        if !short.isEmpty {
            return next.deciding(
                .hold, at: now, toWeight: weight, evidence: evidence,
                reason: "waiting for \(spec.minimumSamples) answers per side: "
                    + short.map { "\($0.signal.rawValue) has \($0.stableSamples) stable, \($0.candidateSamples) candidate" }
                    .joined(separator: "; "))
        }
        guard stepIndex + 1 < spec.steps.count else {
            next.status = .promoted
            next.weight = 100
            return next.deciding(
                .promote, at: now, toWeight: 100, evidence: evidence,
                reason: "every check passed at the last step (\(weight)%)")
        }
        next.stepIndex += 1
        next.weight = spec.steps[next.stepIndex]
        next.stepStartedAt = now
        return next.deciding(
            .advance, at: now, toWeight: next.weight, evidence: evidence,
            reason: "every check passed at \(weight)%")
    }

    static func evaluate(
        _ check: CanaryCheck, spec: CanaryAnalysisSpec, stable: [QualitySample],
        candidate: [QualitySample]
    ) -> CanaryEvidence {
        let old = SignalComputation.value(of: check.signal, over: stable)
        let new = SignalComputation.value(of: check.signal, over: candidate)
        var evidence = CanaryEvidence(
            signal: check.signal, stable: old?.value, stableSamples: old?.samples ?? 0,
            candidate: new?.value, candidateSamples: new?.samples ?? 0,
            tolerance: check.tolerance, threshold: check.threshold, passed: true, reason: "")
        guard let new, let old else {
            evidence.passed = false
            evidence.reason = "\(check.signal.rawValue): no data on one side"
            return evidence
        }
        let worse = check.signal.higherIsBetter ? old.value - new.value : new.value - old.value
        let text = { (value: Double) in String(format: "%.3g", value) }
        if worse > check.tolerance {
            evidence.passed = false
            evidence.reason =
                "\(check.signal.rawValue) \(text(new.value)) against stable \(text(old.value)): worse by \(text(worse)), more than \(text(check.tolerance))"
        } else if let threshold = check.threshold,
            check.signal.higherIsBetter ? new.value < threshold : new.value > threshold
        {
            evidence.passed = false
            evidence.reason = "\(check.signal.rawValue) \(text(new.value)) is past the threshold \(text(threshold))"
        } else {
            evidence.reason = "\(check.signal.rawValue) \(text(new.value)) against stable \(text(old.value))"
        }
        return evidence
    }

    func deciding(
        _ action: CanaryDecision.Action, at moment: Date, toWeight: Int, evidence: [CanaryEvidence] = [],
        reason: String
    ) -> (state: CanaryAnalysisState, decision: CanaryDecision?) {
        var next = self
        let decision = CanaryDecision(
            action: action, at: moment, stepIndex: stepIndex, fromWeight: weightBefore(action, toWeight),
            toWeight: toWeight, failures: failures, reason: reason, evidence: evidence)
        next.record(decision)
        return (next, decision)
    }

    /// The weight the decision moved from: the last recorded decision's target.
    func weightBefore(_ action: CanaryDecision.Action, _ toWeight: Int) -> Int {
        decisions.last?.toWeight ?? toWeight
    }

    mutating func record(_ decision: CanaryDecision) {
        decisions.append(decision)
        if decisions.count > Self.decisionsKept { decisions.removeFirst(decisions.count - Self.decisionsKept) }
    }
}
