import Foundation
import Logging
import ServiceLifecycle

/// Looks at every running canary analysis each tick. The analyses live in the database, so a restarted
/// process picks up where the last one stopped (their labels are marked for extra sampling again first).
public struct CanaryAnalysisService: Service {
    let analyses: CanaryAnalyses
    let tick: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    public init(analyses: CanaryAnalyses, tick: Duration, now: @escaping @Sendable () -> Date = Date.init, logger: Logger) {
        self.analyses = analyses
        self.tick = tick
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        do {
            let resumed = try await analyses.restore()
            if resumed > 0 { logger.notice("canary analyses resumed", metadata: ["analyses": "\(resumed)"]) }
        } catch {
            logger.error("canary analyses could not be restored", metadata: ["error": "\(error)"])
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await analyses.tickAll(at: now())
                try? await Task.sleep(for: tick)
            }
        }
    }
}
