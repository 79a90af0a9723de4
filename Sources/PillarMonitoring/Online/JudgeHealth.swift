import Foundation
import Synchronization

/// Whether each tenant's judge model answers, as the online evaluator last found it. A canary analysis that
/// needs judges pauses while its tenant's judge is down rather than decide on missing scores.
public final class JudgeHealth: Sendable {
    struct Status {
        var lastSuccess: Double?
        var lastFailure: Double?
        var lastError: String?
        var consecutiveFailures = 0
    }

    /// One failed call is a blip, not an outage: pausing an analysis on it would restart its step for nothing.
    static let failuresForOutage = 3

    private let statuses = Mutex<[String: Status]>([:])

    public init() {}

    func succeeded(tenant: String, at moment: Double) {
        statuses.withLock {
            $0[tenant, default: Status()].lastSuccess = moment
            $0[tenant, default: Status()].consecutiveFailures = 0
        }
    }

    func failed(tenant: String, at moment: Double, error: String) {
        statuses.withLock {
            $0[tenant, default: Status()].lastFailure = moment
            $0[tenant, default: Status()].lastError = error
            $0[tenant, default: Status()].consecutiveFailures += 1
        }
    }

    /// Available until `failuresForOutage` calls in a row fail, and again once one succeeds.
    public func isAvailable(tenant: String) -> Bool {
        statuses.withLock { ($0[tenant]?.consecutiveFailures ?? 0) < Self.failuresForOutage }
    }

    /// Why the judge is down, when it is.
    public func lastError(tenant: String) -> String? {
        isAvailable(tenant: tenant) ? nil : statuses.withLock { $0[tenant]?.lastError }
    }
}
