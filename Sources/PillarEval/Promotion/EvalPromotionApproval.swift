import PillarCore
import PillarFlows

/// Promotion under `promotion.requireEval`: a version may start serving `production` only when a passing
/// gate on record vouches for it (its candidate run used that version). The audit log records which gate and
/// which run allowed it.
public struct EvalPromotionApproval: PromotionApproval {
    let store: any EvalRepository
    let audit: any AuditLog
    let requiresEvaluation: @Sendable (String) -> Bool

    public init(store: any EvalRepository, audit: any AuditLog, requiresEvaluation: @escaping @Sendable (String) -> Bool) {
        self.store = store
        self.audit = audit
        self.requiresEvaluation = requiresEvaluation
    }

    public func approve(kind: LibraryKind, tenant: String, name: String, versions: [Int], by actor: String) async throws {
        guard requiresEvaluation(tenant) else { return }
        var allowed: [(Int, EvalGateRecord)] = []
        for version in versions {
            guard let gate = try await store.passingGate(tenant: tenant, kind: kind, name: name, version: version) else {
                throw PillarError(
                    .permissionDenied, code: "evaluation_required",
                    message:
                        "This tenant promotes only evaluated versions, and no passing gate vouches for \(kind.rawValue) '\(name)' version \(version). Run `pillar eval gate` with a candidate that uses it, then promote again."
                )
            }
            allowed.append((version, gate))
        }
        for (version, gate) in allowed {
            try await audit.append(
                tenant: tenant, actor: actor, action: "\(kind.rawValue).promotion_allowed", target: name,
                details: [
                    "version": "\(version)", "gate": gate.id, "run": gate.candidateRunID,
                    "baseline_run": gate.baselineRunID, "requirement": gate.requirement,
                ])
        }
    }
}
