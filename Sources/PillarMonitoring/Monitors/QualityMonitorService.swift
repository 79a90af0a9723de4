import Foundation
import Logging
import Metrics
import PillarCore
import ServiceLifecycle

/// How query drift is measured: the queries of the last `windowSeconds` against those of the
/// `referenceSeconds` before them.
public struct DriftSettings: Sendable, Hashable {
    public var enabled: Bool
    public var windowSeconds: Int
    public var referenceSeconds: Int
    public var minimumPerSide: Int
    public var maximumPerSide: Int
    public var permutations: Int

    public init(
        enabled: Bool = true, windowSeconds: Int = 3600, referenceSeconds: Int = 7 * 86_400,
        minimumPerSide: Int = 20, maximumPerSide: Int = 200, permutations: Int = 999
    ) {
        self.enabled = enabled
        self.windowSeconds = windowSeconds
        self.referenceSeconds = referenceSeconds
        self.minimumPerSide = minimumPerSide
        self.maximumPerSide = maximumPerSide
        self.permutations = permutations
    }
}

/// Every `interval`: computes each tenant's signals per flow label over the signal window and exports them
/// as Prometheus gauges, measures query drift, and moves each monitor's state, alerting on every change.
public struct QualityMonitorService: Service {
    let store: any QualityRepository
    let monitors: [MonitorSpec]
    let signalWindowSeconds: Int
    let drift: DriftSettings
    let interval: Duration
    let alerts: AlertDispatcher?
    let board: MonitorBoard
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        store: any QualityRepository, monitors: [MonitorSpec], signalWindowSeconds: Int, drift: DriftSettings,
        interval: Duration, alerts: AlertDispatcher?, board: MonitorBoard,
        now: @escaping @Sendable () -> Date = Date.init, logger: Logger
    ) {
        self.store = store
        self.monitors = monitors
        self.signalWindowSeconds = signalWindowSeconds
        self.drift = drift
        self.interval = interval
        self.alerts = alerts
        self.board = board
        self.now = now
        self.logger = logger
    }

    /// One flow label of one tenant: what signals and monitors are computed for.
    public struct Scope: Sendable, Hashable {
        public var tenant: String
        public var flow: String
        public var label: String?

        var text: String { "\(tenant)|\(flow)|\(label ?? "")" }
    }

    public func run() async throws {
        let loaded = await loadStates()
        await cancelWhenGracefulShutdown {
            var states = loaded
            while !Task.isCancelled {
                states = await evaluate(states: states, at: now())
                try? await Task.sleep(for: interval)
            }
        }
    }

    func loadStates() async -> [String: MonitorState] {
        do {
            let decoder = JSONDecoder()
            return try await store.monitorStates().compactMapValues {
                try? decoder.decode(MonitorState.self, from: Data($0.utf8))
            }
        } catch {
            logger.error("monitor states could not be loaded", metadata: ["error": "\(error)"])
            return [:]
        }
    }

    /// One round: signals, drift and monitors as of `moment`. Returns the monitors' new states by key.
    public func evaluate(states: [String: MonitorState], at moment: Date) async -> [String: MonitorState] {
        let longest = max(signalWindowSeconds, monitors.map(\.windowSeconds).max() ?? 0)
        let end = moment.timeIntervalSince1970
        var samples: [QualitySample] = []
        do {
            // Tenant by tenant, so that a busy tenant's samples never crowd a quiet one's out of the bound.
            for tenant in try await store.sampleTenants(from: end - Double(longest), to: end + 1) {
                samples += try await store.samples(QualitySampleQuery(tenant: tenant, from: end - Double(longest), to: end + 1))
            }
        } catch {
            logger.error("quality samples could not be read", metadata: ["error": "\(error)"])
            return states
        }
        let byScope = Dictionary(grouping: samples) { Scope(tenant: $0.tenant, flow: $0.flow, label: $0.label) }
        var driftByScope: [Scope: EmbeddingDrift.Result] = [:]
        for (scope, scoped) in byScope {
            let recent = scoped.filter { $0.createdAt >= end - Double(signalWindowSeconds) }
            for signal in QualitySignal.allCases where signal != .queryDrift {
                guard let value = SignalComputation.value(of: signal, over: recent) else { continue }
                gauge(signal, scope).record(value.value)
            }
            if drift.enabled, let result = await measureDrift(scope, end: end) {
                driftByScope[scope] = result
                gauge(.queryDrift, scope).record(result.pValue)
            }
        }
        var updated = states
        for monitor in monitors {
            let window = end - Double(monitor.windowSeconds)
            var scopes = Set(byScope.keys.filter { covers(monitor, $0) })
            // A scope that had data before and has none now is still watched: that is what `noData` is for.
            for key in states.keys where key.hasPrefix(monitor.name + "|") {
                if let scope = Self.scope(fromKey: key, monitor: monitor.name) { scopes.insert(scope) }
            }
            for scope in scopes {
                let key = monitor.name + "|" + scope.text
                let observation: SignalValue?
                if monitor.signal == .queryDrift {
                    observation = driftByScope[scope].map {
                        SignalValue(value: $0.pValue, samples: min($0.referenceCount, $0.currentCount))
                    }
                } else {
                    observation = SignalComputation.value(
                        of: monitor.signal,
                        over: (byScope[scope] ?? []).filter { $0.createdAt >= window })
                }
                let previous = states[key] ?? MonitorState.initial(at: moment)
                let (state, transition) = previous.evaluated(by: monitor, observation: observation, now: moment)
                updated[key] = state
                board.update(
                    key: key,
                    entry: .init(
                        monitor: monitor.name, tenant: scope.tenant, flow: scope.flow,
                        label: scope.label, state: state),
                    transition: transition)
                Gauge(
                    label: "pillar_monitor_state",
                    dimensions: [
                        ("monitor", monitor.name), ("tenant", scope.tenant), ("flow", scope.flow), ("label", scope.label ?? ""),
                    ]
                ).record(Self.level(state.level))
                if let transition { announce(transition, monitor: monitor, scope: scope) }
                // Every round moves `evaluatedAt`; only a change of level or of the clearing count is worth a write.
                let changed = state.level != previous.level || state.clearing != previous.clearing || states[key] == nil
                if changed, let encoded = try? JSONEncoder().encode(state) {
                    do {
                        try await store.saveMonitorState(
                            key: key, monitor: monitor.name, state: String(decoding: encoded, as: UTF8.self))
                    } catch {
                        logger.error(
                            "monitor state could not be saved", metadata: ["monitor": "\(monitor.name)", "error": "\(error)"])
                    }
                }
            }
        }
        board.evaluated(at: moment)
        return updated
    }

    func covers(_ monitor: MonitorSpec, _ scope: Scope) -> Bool {
        (monitor.tenant == nil || monitor.tenant == scope.tenant) && (monitor.flow == nil || monitor.flow == scope.flow)
            && (monitor.label == nil || monitor.label == scope.label)
    }

    static func scope(fromKey key: String, monitor: String) -> Scope? {
        let parts = key.dropFirst(monitor.count + 1).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { return nil }
        return Scope(tenant: parts[0], flow: parts[1], label: parts[2].isEmpty ? nil : parts[2])
    }

    static func level(_ level: MonitorLevel) -> Double {
        switch level {
        case .ok: 0
        case .warning: 1
        case .alert: 2
        }
    }

    func gauge(_ signal: QualitySignal, _ scope: Scope) -> Gauge {
        Gauge(
            label: "pillar_quality_signal",
            dimensions: [
                ("tenant", scope.tenant), ("flow", scope.flow), ("label", scope.label ?? ""), ("signal", signal.rawValue),
            ])
    }

    /// The current window's query vectors against the reference window's before it.
    func measureDrift(_ scope: Scope, end: Double) async -> EmbeddingDrift.Result? {
        let split = end - Double(drift.windowSeconds)
        do {
            let current = try await store.queryVectors(
                tenant: scope.tenant, flow: scope.flow, label: scope.label,
                from: split, to: end + 1, limit: drift.maximumPerSide)
            guard current.count >= drift.minimumPerSide else { return nil }
            let reference = try await store.queryVectors(
                tenant: scope.tenant, flow: scope.flow, label: scope.label,
                from: split - Double(drift.referenceSeconds), to: split,
                limit: drift.maximumPerSide)
            guard reference.count >= drift.minimumPerSide else { return nil }
            // Seeded by the window so that a rerun over the same data gives the same p-value.
            return EmbeddingDrift.test(
                reference: reference, current: current, permutations: drift.permutations,
                maximumPerSide: drift.maximumPerSide, seed: UInt64(max(0, split)))
        } catch {
            logger.error("query vectors could not be read", metadata: ["error": "\(error)"])
            return nil
        }
    }

    func announce(_ transition: MonitorTransition, monitor: MonitorSpec, scope: Scope) {
        let value = transition.value.map { String(format: "%.4g", $0) } ?? "no data"
        let summary =
            "\(monitor.name) is \(transition.to.rawValue) (was \(transition.from.rawValue)) for \(scope.flow)"
            + "@\(scope.label ?? "-") in tenant \(scope.tenant): \(monitor.signal.rawValue) = \(value) over \(transition.samples) samples"
        let metadata: Logger.Metadata = [
            "monitor": "\(monitor.name)", "tenant": "\(scope.tenant)", "flow": "\(scope.flow)", "label": "\(scope.label ?? "")",
            "from": "\(transition.from.rawValue)", "to": "\(transition.to.rawValue)", "value": "\(value)",
        ]
        if transition.to == .ok {
            logger.notice("monitor cleared", metadata: metadata)
        } else {
            logger.warning("monitor raised", metadata: metadata)
        }
        Counter(
            label: "pillar_monitor_transitions_total", dimensions: [("monitor", monitor.name), ("to", transition.to.rawValue)]
        ).increment()
        _ = alerts?.enqueue(
            AlertEvent(
                id: RandomHex.make(bytes: 12), kind: .monitorState,
                dedupKey: "monitor:\(monitor.name):\(scope.text)", tenant: scope.tenant, occurredAt: transition.at,
                severity: transition.to.rawValue, summary: summary,
                details: [
                    "monitor": monitor.name, "signal": monitor.signal.rawValue, "flow": scope.flow, "label": scope.label ?? "",
                    "from": transition.from.rawValue, "to": transition.to.rawValue, "value": value,
                    "samples": "\(transition.samples)", "reason": transition.reason,
                ]))
    }
}
