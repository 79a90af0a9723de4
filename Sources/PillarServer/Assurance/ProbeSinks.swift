import PillarCore

/// The isolation probe asks as other tenants' identities, but what it spends is its own: its model calls are
/// metered to the probe tenant, so no tenant's usage, budget or bill moves.
struct ProbeMeteredTurns: TurnRepository {
    let base: any TurnRepository

    func recordTurn(_ turn: TurnRecord) async throws {
        var turn = turn
        if turn.subject == ProbeTenant.subject { turn.tenant = ProbeTenant.id }
        try await base.recordTurn(turn)
    }

    func listTurns(tenant: String, after: String?, limit: Int) async throws -> [TurnRecord] {
        try await base.listTurns(tenant: tenant, after: after, limit: limit)
    }

    func turns(tenant: String, subject: String, traceID: String) async throws -> [TurnRecord] {
        try await base.turns(tenant: tenant, subject: subject, traceID: traceID)
    }

    func markTurnFailed(id: String, tenant: String, errorCode: String) async throws {
        // Turn ids are unique: the probe's turns sit in the probe tenant, anyone else's where they were.
        try await base.markTurnFailed(id: id, tenant: tenant, errorCode: errorCode)
        try await base.markTurnFailed(id: id, tenant: ProbeTenant.id, errorCode: errorCode)
    }
}

/// The probe's answers are not kept: a trace saved under the tenant it asked as would show up in that
/// tenant's traces. What the probe saw is in its own round record.
struct DiscardedTraces: FlowTraceRepository {
    func saveTrace(_ trace: FlowTrace) async throws {}
    func trace(id: String, tenant: String) async throws -> FlowTrace? { nil }
    func recentTraces(tenant: String, limit: Int) async throws -> [FlowTrace] { [] }
    func searchTraces(tenant: String, matching search: TraceSearch) async throws -> [TraceSummary] { [] }
}
