import Foundation
import Synchronization

/// The one thread that starts child processes, and that never ends. The kernel's parent-death signal follows
/// the *thread* that started a child, not its process: started from one of the concurrency pool's threads,
/// which end after a few idle seconds, a model server would be killed as soon as that thread went away.
final class SpawningThread: Sendable {
    static let shared = SpawningThread()

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let waiting = DispatchSemaphore(value: 0)
    /// The thread's pthread id, once it runs.
    let threadID = Mutex<pthread_t?>(nil)

    private init() {
        let thread = Thread { [self] in
            threadID.withLock { $0 = pthread_self() }
            while true {
                waiting.wait()
                let job = jobs.withLock { $0.removeFirst() }
                job()
            }
        }
        thread.name = "pillar-spawner"
        thread.start()
    }

    /// Runs `body` on the spawning thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            jobs.withLock { $0.append { continuation.resume(with: Result { try body() }) } }
            waiting.signal()
        }
    }
}
