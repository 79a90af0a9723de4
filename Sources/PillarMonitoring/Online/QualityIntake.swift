import Metrics
import Synchronization

/// Where the serving path drops answers for monitoring. `submit` never waits: it appends under a lock and
/// wakes the evaluator. The queue is bounded; when the evaluator falls behind, new observations are dropped
/// and counted, and the request is never slowed.
public final class QualityIntake: Sendable {
    private let pending = Mutex<[QualityObservation]>([])
    private let droppedCount = Atomic<Int>(0)
    /// The evaluator's only reader: one element per wake-up.
    let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    public let limit: Int

    public init(limit: Int) {
        self.limit = max(1, limit)
        // One buffered wake-up is enough: the evaluator takes everything queued each time it wakes.
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// False when the queue was full and the observation was dropped.
    @discardableResult
    public func submit(_ observation: QualityObservation) -> Bool {
        let accepted = pending.withLock { queue in
            guard queue.count < limit else { return false }
            queue.append(observation)
            return true
        }
        if accepted {
            wake.yield()
        } else {
            droppedCount.add(1, ordering: .relaxed)
            Counter(label: "pillar_quality_dropped_total").increment()
        }
        return accepted
    }

    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Everything queued now, oldest first.
    func take() -> [QualityObservation] {
        pending.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
    }

    /// Ends the intake: the evaluator writes what is queued, then stops.
    public func finish() { wake.finish() }
}
