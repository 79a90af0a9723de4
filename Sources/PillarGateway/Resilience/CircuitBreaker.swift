/// One deployment's circuit breaker, as a plain value: callers pass the time, so tests control it.
///
/// Closed: calls flow, and their outcomes fill a sliding time window. When the window holds at least
/// `minimumCalls` and the failure rate reaches the threshold, the breaker opens, for the Retry-After of the
/// failure that tripped it when it had one (a deployment out of quota says how long), else for `openDuration`.
/// A lone 429 therefore spills only its own request elsewhere and does not idle the deployment.
/// Open: no calls until the open time has passed. Half-open: a few probe calls go through; a success closes
/// the breaker, a failure opens it again.
public struct CircuitBreaker: Sendable, Hashable {
    public struct Policy: Sendable, Hashable {
        public var failureRateThreshold: Double
        public var minimumCalls: Int
        public var window: Duration
        public var openDuration: Duration
        public var halfOpenProbes: Int

        public init(
            failureRateThreshold: Double = 0.5, minimumCalls: Int = 5, window: Duration = .seconds(30),
            openDuration: Duration = .seconds(15), halfOpenProbes: Int = 1
        ) {
            self.failureRateThreshold = failureRateThreshold
            self.minimumCalls = minimumCalls
            self.window = window
            self.openDuration = openDuration
            self.halfOpenProbes = halfOpenProbes
        }
    }

    public enum State: Sendable, Hashable {
        case closed
        case open(until: ContinuousClock.Instant)
        case halfOpen(probesInFlight: Int)

        public var name: String {
            switch self {
            case .closed: return "closed"
            case .open: return "open"
            case .halfOpen: return "half_open"
            }
        }
    }

    public let policy: Policy
    public private(set) var state: State = .closed
    /// Outcomes inside the window, oldest first: (when, failed).
    private var outcomes: [(at: ContinuousClock.Instant, failed: Bool)] = []

    public init(policy: Policy = .init()) { self.policy = policy }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.policy == rhs.policy && lhs.state == rhs.state }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(policy)
        hasher.combine(state)
    }

    /// Whether a call may go now, without taking a probe slot (for choosing among deployments).
    public func permits(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until): return now >= until
        case .halfOpen(let probes): return probes < policy.halfOpenProbes
        }
    }

    /// Takes permission for one call; in half-open state this uses up a probe slot.
    public mutating func acquire(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed:
            return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen(probesInFlight: 1)
            return true
        case .halfOpen(let probes):
            guard probes < policy.halfOpenProbes else { return false }
            state = .halfOpen(probesInFlight: probes + 1)
            return true
        }
    }

    public mutating func recordSuccess(at now: ContinuousClock.Instant) {
        switch state {
        case .halfOpen:
            state = .closed
            outcomes.removeAll()
        case .closed:
            record(failed: false, at: now)
        case .open:
            break
        }
    }

    /// A failed call; `retryAfter` is how long the upstream asked to be left alone, if it said.
    public mutating func recordFailure(at now: ContinuousClock.Instant, retryAfter: Duration? = nil) {
        let openFor = max(retryAfter ?? policy.openDuration, .zero)
        switch state {
        case .halfOpen:
            open(at: now, for: openFor)
        case .closed:
            record(failed: true, at: now)
            let failures = outcomes.count { $0.failed }
            if outcomes.count >= policy.minimumCalls,
                Double(failures) / Double(outcomes.count) >= policy.failureRateThreshold
            {
                open(at: now, for: openFor)
            }
        case .open:
            break
        }
    }

    /// A call that ended without saying anything of the deployment's health (the caller went away).
    public mutating func recordNeutral() {
        if case .halfOpen(let probes) = state { state = .halfOpen(probesInFlight: max(0, probes - 1)) }
    }

    /// When a breaker that permits no call now may next let one through: its reopening, or, half-open with its
    /// probes out, a second from now (the probe's answer is due by then).
    public func nextPermit(after now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        reopensAt(after: now) ?? now + .seconds(1)
    }

    /// When the breaker will next let a call through, if it is open now.
    public func reopensAt(after now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        if case .open(let until) = state, until > now { return until }
        return nil
    }

    private mutating func open(at now: ContinuousClock.Instant, for duration: Duration) {
        state = .open(until: now + duration)
        outcomes.removeAll()
    }

    private mutating func record(failed: Bool, at now: ContinuousClock.Instant) {
        outcomes.append((now, failed))
        let horizon = now - policy.window
        if let firstInside = outcomes.firstIndex(where: { $0.at >= horizon }), firstInside > 0 {
            outcomes.removeFirst(firstInside)
        }
    }
}
