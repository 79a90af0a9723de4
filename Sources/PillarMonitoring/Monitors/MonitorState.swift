import Foundation

/// A level change of one monitor on one scope.
public struct MonitorTransition: Sendable, Hashable, Codable {
    public var from: MonitorLevel
    public var to: MonitorLevel
    public var at: Date
    /// Nil when the change came from a lack of data.
    public var value: Double?
    public var samples: Int
    public var reason: String
}

/// Where one monitor stands on one scope. A rise is immediate; a fall needs the signal past the threshold
/// by the hysteresis for `clearAfter` rounds in a row, so a signal hovering at a threshold does not flap.
public struct MonitorState: Sendable, Hashable, Codable {
    public var level: MonitorLevel
    public var since: Date
    /// Rounds in a row that called for a lower level.
    public var clearing: Int
    public var lastValue: Double?
    public var lastSamples: Int
    public var evaluatedAt: Date

    public static func initial(at moment: Date) -> MonitorState {
        MonitorState(level: .ok, since: moment, clearing: 0, lastValue: nil, lastSamples: 0, evaluatedAt: moment)
    }

    public func evaluated(
        by spec: MonitorSpec, observation: SignalValue?,
        now: Date
    ) -> (state: MonitorState, transition: MonitorTransition?) {
        var next = self
        next.evaluatedAt = now
        next.lastValue = observation?.value
        next.lastSamples = observation?.samples ?? 0
        guard let observation, observation.value.isFinite, observation.samples >= spec.minimumSamples else {
            let target: MonitorLevel
            switch spec.noData {
            case .keep: target = level
            case .ok: target = .ok
            case .warning: target = .warning
            case .alert: target = .alert
            }
            next.clearing = 0
            let reason =
                "\(observation?.samples ?? 0) samples, fewer than the \(spec.minimumSamples) required: no data means \(spec.noData.rawValue)"
            return next.moved(to: target, at: now, value: nil, samples: observation?.samples ?? 0, reason: reason)
        }
        let raw = spec.level(of: observation.value)
        if raw > level {
            next.clearing = 0
            return next.moved(
                to: raw, at: now, value: observation.value, samples: observation.samples,
                reason:
                    "\(spec.signal.rawValue) is \(spec.direction.rawValue) the \(raw.rawValue) threshold \(threshold(spec, raw))")
        }
        let cleared = spec.level(of: observation.value, margin: spec.hysteresis)
        guard cleared < level else {
            next.clearing = 0
            return (next, nil)
        }
        next.clearing += 1
        guard next.clearing >= spec.clearAfter else { return (next, nil) }
        next.clearing = 0
        return next.moved(
            to: cleared, at: now, value: observation.value, samples: observation.samples,
            reason: "\(spec.signal.rawValue) back past the threshold by \(spec.hysteresis) for \(spec.clearAfter) rounds")
    }

    func threshold(_ spec: MonitorSpec, _ level: MonitorLevel) -> String {
        let value = level == .alert ? spec.alert : (spec.warning ?? spec.alert)
        return String(format: "%.4g", value)
    }

    func moved(
        to target: MonitorLevel, at moment: Date, value: Double?, samples: Int,
        reason: String
    ) -> (state: MonitorState, transition: MonitorTransition?) {
        guard target != level else { return (self, nil) }
        var next = self
        next.level = target
        next.since = moment
        return (next, MonitorTransition(from: level, to: target, at: moment, value: value, samples: samples, reason: reason))
    }
}
