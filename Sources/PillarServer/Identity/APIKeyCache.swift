import PillarCore
import Synchronization

/// Keys recently found valid, by the hash of their secret, so that a busy client's requests do not each read
/// the key table. An entry lives `lifetime` at most: a key revoked through this server is dropped at once; one
/// revoked elsewhere (the CLI, another replica) stops working within `lifetime`. Unknown and revoked keys are
/// never cached, so a flood of guessed keys can neither fill the cache nor push valid keys out of it.
final class APIKeyCache: Sendable {
    private struct Entry {
        var principal: Principal
        var expires: ContinuousClock.Instant
    }

    let lifetime: Duration
    let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(lifetime: Duration, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func principal(forHash hash: String, now: ContinuousClock.Instant = .now) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard entry.expires > now else {
                entries[hash] = nil
                return nil
            }
            return entry.principal
        }
    }

    func remember(_ principal: Principal, forHash hash: String, now: ContinuousClock.Instant = .now) {
        entries.withLock { entries in
            if entries.count >= capacity {
                // Full: expired entries go first, and if none has, everything (the next requests reload).
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity { entries.removeAll() }
            }
            entries[hash] = Entry(principal: principal, expires: now + lifetime)
        }
    }

    /// Drops the entries of a key (its id is the principal's subject).
    func forget(keyID: String) {
        entries.withLock { entries in entries = entries.filter { $0.value.principal.subject != keyID } }
    }
}
