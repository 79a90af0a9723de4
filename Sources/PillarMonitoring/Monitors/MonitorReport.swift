import Foundation

/// A monitor as `/v1/admin/monitors` reports it and `pillar monitors` reads it: its spec, where it stands
/// on each scope it watches, its worst level, and (for one monitor) its latest transitions.
public struct MonitorReport: Sendable, Codable {
    public struct Scope: Sendable, Codable {
        public var tenant: String
        public var flow: String
        public var label: String?
        public var state: MonitorState
    }

    public var spec: MonitorSpec
    public var scopes: [Scope]
    public var level: MonitorLevel
    public var transitions: [MonitorBoard.ScopedTransition]?

    public init(spec: MonitorSpec, board: MonitorBoard, tenant: String?, withTransitions: Bool) {
        self.spec = spec
        scopes = board.entries(monitor: spec.name, tenant: tenant)
            .map { Scope(tenant: $0.tenant, flow: $0.flow, label: $0.label, state: $0.state) }
        level = scopes.map(\.state.level).max() ?? .ok
        transitions = withTransitions ? board.transitions(monitor: spec.name, tenant: tenant) : nil
    }

    public struct Listing: Sendable, Codable {
        public var data: [MonitorReport]
        public var hasMore: Bool
        public var evaluatedAt: Date?

        public init(data: [MonitorReport], hasMore: Bool = false, evaluatedAt: Date?) {
            self.data = data
            self.hasMore = hasMore
            self.evaluatedAt = evaluatedAt
        }
    }
}
