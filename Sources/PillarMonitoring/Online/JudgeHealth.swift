import Foundation
import Synchronization

/// Whether each tenant's judge model answers, as the online evaluator last found it. A canary analysis that
/// needs judges pauses while its tenant's judge is down rather than decide on missing scores.
public final class JudgeHealth: Sendable {
    struct Status {
        var lastSuccess: Double?
        var lastFailure: Double?
        var lastError: String?
    }

    private let statuses = Mutex<[String: Status]>([:])

    public init() {}

    func succeeded(tenant: String, at moment: Double) {
        statuses.withLock { $0[tenant, default: Status()].lastSuccess = moment }
    }

    func failed(tenant: String, at moment: Double, error: String) {
        statuses.withLock {
            $0[tenant, default: Status()].lastFailure = moment
            $0[tenant, default: Status()].lastError = error
        }
    }

    /// Available until a call fails, and again once one succeeds after it.
    public func isAvailable(tenant: String) -> Bool {
        statuses.withLock { all in
            guard let status = all[tenant], let failure = status.lastFailure else { return true }
            return (status.lastSuccess ?? -.infinity) > failure
        }
    }

    /// Why the judge is down, when it is.
    public func lastError(tenant: String) -> String? {
        isAvailable(tenant: tenant) ? nil : statuses.withLock { $0[tenant]?.lastError }
    }
}
