import Foundation
import PillarCore

/// The whole audit chain's verification, for the API: a walk of every record is a full read of the table, so
/// requests that come while one runs share it, and its result serves for `freshFor` after it ends. An admin
/// cannot make the server read the table more often than that, however often they ask.
actor AuditChainCheck {
    struct Result: Sendable {
        var verification: AuditVerification
        var verifiedAt: Date
    }

    let audit: any AuditLog
    let freshFor: Duration
    private var last: (result: Result, at: ContinuousClock.Instant)?
    private var running: Task<Result, any Error>?

    init(audit: any AuditLog, freshFor: Duration = .seconds(10)) {
        self.audit = audit
        self.freshFor = freshFor
    }

    func verify() async throws -> Result {
        if let last, ContinuousClock.now - last.at < freshFor { return last.result }
        if let running { return try await running.value }
        let audit = self.audit
        let task = Task {
            let started = Date()
            return Result(verification: try await audit.verify(), verifiedAt: started)
        }
        running = task
        defer { running = nil }
        let result = try await task.value
        last = (result, ContinuousClock.now)
        return result
    }
}
