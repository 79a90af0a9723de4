import Foundation
import Testing

@testable import PillarGateway

/// A child bound to its parent with PR_SET_PDEATHSIG is killed when the parent *thread* that started it ends, so
/// every child must be started from one thread that lives as long as the process, whichever task asks.
@Suite struct SpawningThreadTests {
    @Test func startsEveryChildFromTheSameLongLivedThread() async throws {
        let threads = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await SpawningThread.shared.run { "\(pthread_self())" }
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        let spawner = try #require(SpawningThread.shared.threadID.withLock { $0 })
        #expect(threads == ["\(spawner)"], "every job ran on the spawning thread")
        #expect(pthread_self() != spawner)
    }
}
