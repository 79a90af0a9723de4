import Metrics
import Synchronization

/// The deployments behind each model name and their live state: requests in flight, circuit breaker, and
/// the upstream's last word on its remaining quota. It picks the deployment for a request:
/// the lowest priority number first (provisioned capacity before pay-as-you-go), and within a priority the
/// fewest requests in flight for its weight, skipping any whose breaker is open, whose cap on requests in
/// flight is reached, or whose quota would throttle this request.
public final class DeploymentPool: Sendable {
    public struct Member: Sendable {
        public var provider: any ModelProvider
        public var weight: Double
        public var maxInFlight: Int?

        public init(provider: any ModelProvider, weight: Double = 1, maxInFlight: Int? = nil) {
            self.provider = provider
            self.weight = weight > 0 ? weight : 1
            self.maxInFlight = maxInFlight
        }

        public var name: String { provider.deployment.name }
    }

    /// Permission to call one deployment; give it back with `release`.
    public struct Lease: Sendable {
        public let member: Member
        public var provider: any ModelProvider { member.provider }
        public var name: String { member.name }
    }

    public enum Choice: Sendable {
        case leased(Lease)
        /// Every candidate is at its cap on requests in flight: waiting briefly may free one.
        case full
        /// No candidate can take a call now; the earliest moment one might, if known. `breakersOpen`: every
        /// candidate is cut off by its circuit breaker, so the model is known to be down until `retryAt`.
        case unavailable(retryAt: ContinuousClock.Instant?, breakersOpen: Bool)
    }

    public enum Outcome: Sendable {
        case success(UpstreamRateLimits?)
        case failure(UpstreamError)
        /// Ended without saying anything of the deployment's health (the caller went away).
        case neutral
    }

    struct MemberState: Sendable {
        var inFlight = 0
        var breaker: CircuitBreaker
        var rateLimits: UpstreamRateLimits?
    }

    public struct Snapshot: Sendable, Encodable {
        public var name: String
        public var models: [String]
        public var priority: Int
        public var weight: Double
        public var maxInFlight: Int?
        public var inFlight: Int
        public var breaker: String
        public var remainingRequests: Int?
        public var remainingTokens: Int?

        enum CodingKeys: String, CodingKey {
            case name, models, priority, weight, breaker
            case maxInFlight = "max_in_flight"
            case inFlight = "in_flight"
            case remainingRequests = "remaining_requests"
            case remainingTokens = "remaining_tokens"
        }
    }

    private let members: [String: Member]
    /// Model name to member names, sorted by priority.
    private let routes: [String: [String]]
    private let states: Mutex<[String: MemberState]>

    public init(members: [Member], breakerPolicy: CircuitBreaker.Policy = .init()) {
        var byName: [String: Member] = [:]
        var routes: [String: [String]] = [:]
        for member in members {
            byName[member.name] = member
            for model in member.provider.deployment.servedModels { routes[model, default: []].append(member.name) }
        }
        self.members = byName
        self.routes = routes.mapValues { names in
            names.sorted { byName[$0]!.provider.deployment.priority < byName[$1]!.provider.deployment.priority }
        }
        self.states = Mutex(byName.mapValues { _ in MemberState(breaker: CircuitBreaker(policy: breakerPolicy)) })
    }

    public var models: [String] { routes.keys.sorted() }

    /// What the deployments serving `model` can do between them.
    public func capabilities(of model: String) -> Set<ModelDeployment.Capability> {
        (routes[model] ?? []).reduce(into: []) { $0.formUnion(members[$1]!.provider.deployment.capabilities) }
    }
    public var providers: [any ModelProvider] {
        members.values.map(\.provider).sorted { $0.deployment.name < $1.deployment.name }
    }
    public func serves(_ model: String) -> Bool { routes[model] != nil }

    public func acquire(
        model: String, excluding excluded: Set<String>, estimatedTokens: Int,
        at now: ContinuousClock.Instant
    ) -> Choice {
        let candidates = (routes[model] ?? []).filter { !excluded.contains($0) }
        return states.withLock { states in
            var sawFull = false
            var sawOtherThanBreaker = candidates.isEmpty
            var retryAt: ContinuousClock.Instant?
            func earliest(_ instant: ContinuousClock.Instant?) {
                guard let instant else { return }
                retryAt = min(retryAt ?? instant, instant)
            }
            var index = 0
            while index < candidates.count {
                let priority = members[candidates[index]]!.provider.deployment.priority
                var level: [String] = []
                while index < candidates.count, members[candidates[index]]!.provider.deployment.priority == priority {
                    level.append(candidates[index])
                    index += 1
                }
                var best: (name: String, load: Double)?
                for name in level {
                    let member = members[name]!
                    let state = states[name]!
                    guard state.breaker.permits(at: now) else {
                        earliest(state.breaker.nextPermit(after: now))
                        continue
                    }
                    sawOtherThanBreaker = true
                    if let limits = state.rateLimits, limits.wouldThrottle(tokens: estimatedTokens, at: now) {
                        earliest(limits.resetsAt)
                        continue
                    }
                    if let cap = member.maxInFlight, state.inFlight >= cap {
                        sawFull = true
                        continue
                    }
                    let load = Double(state.inFlight + 1) / member.weight
                    if best == nil || load < best!.load { best = (name, load) }
                }
                if let best, states[best.name]!.breaker.acquire(at: now) {
                    states[best.name]!.inFlight += 1
                    Self.publish(best.name, states[best.name]!)
                    return .leased(Lease(member: members[best.name]!))
                }
            }
            return sawFull ? .full : .unavailable(retryAt: retryAt, breakersOpen: !sawOtherThanBreaker)
        }
    }

    /// When a deployment of `model` may take calls again: nil if one's breaker lets calls through now, else
    /// the earliest moment a breaker reopens. What a `Retry-After` should say once every deployment failed.
    public func nextOpening(model: String, at now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        let names = routes[model] ?? []
        return states.withLock { states in
            var earliest: ContinuousClock.Instant?
            for name in names {
                guard let breaker = states[name]?.breaker else { continue }
                if breaker.permits(at: now) { return nil }
                let reopens = breaker.nextPermit(after: now)
                earliest = min(earliest ?? reopens, reopens)
            }
            return earliest
        }
    }

    public func release(_ lease: Lease, outcome: Outcome, at now: ContinuousClock.Instant) {
        states.withLock { states in
            guard var state = states[lease.name] else { return }
            state.inFlight = max(0, state.inFlight - 1)
            switch outcome {
            case .success(let limits):
                state.breaker.recordSuccess(at: now)
                if let limits { state.rateLimits = limits }
            case .failure(let error):
                if error.status == 429 {
                    state.breaker.recordFailure(at: now, retryAfter: error.retryAfter)
                } else if error.countsAgainstHealth {
                    state.breaker.recordFailure(at: now)
                } else {
                    state.breaker.recordNeutral()
                }
            case .neutral:
                state.breaker.recordNeutral()
            }
            states[lease.name] = state
            Self.publish(lease.name, state)
        }
    }

    /// The deployment's state as metrics: requests in flight, and the breaker as 0 closed, 1 half-open, 2 open.
    private static func publish(_ name: String, _ state: MemberState) {
        Gauge(label: "pillar_gateway_in_flight", dimensions: [("deployment", name)]).record(state.inFlight)
        let breaker: Int
        switch state.breaker.state {
        case .closed: breaker = 0
        case .halfOpen: breaker = 1
        case .open: breaker = 2
        }
        Gauge(label: "pillar_gateway_breaker_state", dimensions: [("deployment", name)]).record(breaker)
    }

    public func snapshot(at now: ContinuousClock.Instant = .now) -> [Snapshot] {
        states.withLock { states in
            members.values.sorted { $0.name < $1.name }.map { member in
                let state = states[member.name]!
                let breaker: String
                if case .open(let until) = state.breaker.state, until <= now {
                    breaker = "half_open"
                } else {
                    breaker = state.breaker.state.name
                }
                return Snapshot(
                    name: member.name, models: member.provider.deployment.servedModels,
                    priority: member.provider.deployment.priority, weight: member.weight,
                    maxInFlight: member.maxInFlight, inFlight: state.inFlight, breaker: breaker,
                    remainingRequests: state.rateLimits?.remainingRequests,
                    remainingTokens: state.rateLimits?.remainingTokens)
            }
        }
    }
}

extension UpstreamError {
    /// Whether the failure says the deployment is unhealthy: an upstream's refusal of this one request
    /// (400, 401, 404…) does not, nor does a 429 (handled as a quota signal).
    var countsAgainstHealth: Bool {
        switch reason {
        case .connection, .timeout, .malformed, .truncated: return true
        // A request the upstream called wrong (a 4xx, or chat on an embedding server) is not a sign of ill health.
        case .status, .streamError: return !rejectsRequest && ((status ?? 500) >= 500 || status == 408)
        }
    }
}
