import Foundation
import Synchronization

/// What the monitors found last, for `/v1/admin/monitors`: each monitor's state per scope it watches, and the
/// latest transitions (the full history is in the audit log and the alerts).
public final class MonitorBoard: Sendable {
    public struct Entry: Sendable, Codable, Hashable {
        public var monitor: String
        public var tenant: String
        public var flow: String
        public var label: String?
        public var state: MonitorState
    }

    public struct ScopedTransition: Sendable, Codable, Hashable {
        public var tenant: String
        public var flow: String
        public var label: String?
        public var transition: MonitorTransition
    }

    public struct Snapshot: Sendable {
        public var entries: [String: Entry]
        public var transitions: [String: [ScopedTransition]]
        public var evaluatedAt: Date?
    }

    static let transitionsKept = 50
    private let snapshot = Mutex(Snapshot(entries: [:], transitions: [:], evaluatedAt: nil))

    public init() {}

    func update(key: String, entry: Entry, transition: MonitorTransition?) {
        snapshot.withLock { board in
            board.entries[key] = entry
            if let transition {
                var kept = board.transitions[entry.monitor, default: []]
                kept.append(ScopedTransition(tenant: entry.tenant, flow: entry.flow, label: entry.label, transition: transition))
                if kept.count > Self.transitionsKept { kept.removeFirst(kept.count - Self.transitionsKept) }
                board.transitions[entry.monitor] = kept
            }
        }
    }

    func evaluated(at moment: Date) { snapshot.withLock { $0.evaluatedAt = moment } }

    public func entries(monitor: String? = nil, tenant: String?) -> [Entry] {
        snapshot.withLock { board in
            board.entries.values.filter { (monitor == nil || $0.monitor == monitor) && (tenant == nil || $0.tenant == tenant) }
                .sorted { ($0.monitor, $0.tenant, $0.flow, $0.label ?? "") < ($1.monitor, $1.tenant, $1.flow, $1.label ?? "") }
        }
    }

    public func transitions(monitor: String, tenant: String?) -> [ScopedTransition] {
        snapshot.withLock { ($0.transitions[monitor] ?? []).filter { tenant == nil || $0.tenant == tenant } }
    }

    public var evaluatedAt: Date? { snapshot.withLock { $0.evaluatedAt } }
}
