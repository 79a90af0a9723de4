// A value guarded by a POSIX reader-writer lock: many readers at once, or one writer alone.
//
// The index needs this rather than a Mutex because its hot path (search) only reads, and searches are
// many and long (hundreds of distance computations each); a mutex would serialise them all.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The value is reachable only through `read` (shared lock) and `write` (exclusive lock).
///
/// Why `@unchecked Sendable` is sound:
/// - `state` is private and touched in exactly two places: `read` passes it borrowed while the shared
///   lock is held, and `write` passes it `inout` while the exclusive lock is held. So a mutation never
///   overlaps any other access, and concurrent accesses are all reads.
/// - Concurrent reads of one value are safe when `State` is `Sendable` (required below): Swift's
///   collections only mutate their storage on a write, never on a read.
/// - Neither closure can let `state` escape its lock: `read` lends it (`borrowing`), `write` lends it
///   `inout`, and anything they return is a copy made while the lock was held.
/// - The pthread lock lives at a fixed heap address for the object's whole life (never moved, as a
///   pthread lock must not be), and is destroyed only in `deinit`, when no thread can hold it.
final class ReadWriteLocked<State>: @unchecked Sendable where State: Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    private var state: State

    init(_ state: State) {
        self.state = state
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        #if canImport(Glibc)
            // glibc's default lets a steady stream of readers starve a writer forever; under search load an
            // insert would then never run. Preferring writers bounds an insert's wait to the searches
            // already running. (The price, no recursive read locking, is fine: the index never re-enters.)
            var attributes = pthread_rwlockattr_t()
            pthread_rwlockattr_init(&attributes)
            pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
            let status = pthread_rwlock_init(lock, &attributes)
            pthread_rwlockattr_destroy(&attributes)
        #else
            let status = pthread_rwlock_init(lock, nil)
        #endif
        precondition(status == 0, "pthread_rwlock_init failed: \(status)")
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` with shared access; other readers may run at the same time, writers wait.
    func read<Result>(_ body: (borrowing State) throws -> Result) rethrows -> Result {
        let status = pthread_rwlock_rdlock(lock)
        precondition(status == 0, "pthread_rwlock_rdlock failed: \(status)")
        defer { pthread_rwlock_unlock(lock) }
        return try body(state)
    }

    /// Runs `body` with exclusive access.
    func write<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        let status = pthread_rwlock_wrlock(lock)
        precondition(status == 0, "pthread_rwlock_wrlock failed: \(status)")
        defer { pthread_rwlock_unlock(lock) }
        return try body(&state)
    }
}
