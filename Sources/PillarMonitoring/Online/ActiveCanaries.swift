import PillarCore
import Synchronization

/// The labels whose canaries are under analysis now, and the sampling rate each asks for: an analysis must
/// have judged answers from both sides at every step, whatever the tenant's own rate.
public final class ActiveCanaries: Sendable {
    struct Key: Hashable {
        var tenant: String
        var kind: LibraryKind
        var name: String
        var label: String
    }

    private let rates = Mutex<[Key: Double]>([:])

    public init() {}

    public func set(tenant: String, kind: LibraryKind, name: String, label: String, rate: Double?) {
        let key = Key(tenant: tenant, kind: kind, name: name, label: label)
        rates.withLock { $0[key] = rate }
    }

    /// The highest rate any analysis asks for this answer, or nil when none watches it.
    public func samplingRate(for sample: QualitySample) -> Double? {
        rates.withLock { rates in
            guard !rates.isEmpty else { return nil }
            var keys = [Key(tenant: sample.tenant, kind: .flow, name: sample.flow, label: sample.label ?? "")]
            for prompt in sample.prompts {
                keys.append(Key(tenant: sample.tenant, kind: .prompt, name: prompt.name, label: prompt.label ?? ""))
            }
            return keys.compactMap { rates[$0] }.max()
        }
    }
}
