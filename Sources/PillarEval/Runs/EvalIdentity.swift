import PillarCore
import PillarFlows

/// Who a run asks as: a subject of its own (`eval:<run id>`, so its usage is told apart from users' and
/// metered against the evaluation budget) in the tenant, with the groups the run names for retrieval.
public enum EvalIdentity {
    public static let subjectPrefix = "eval:"

    public static func principal(for run: EvalRunRecord) -> Principal {
        Principal(
            tenant: run.tenant, subject: subjectPrefix + run.id, roles: [.user], groups: run.spec.groups, method: .evaluation)
    }

    public static func context(for run: EvalRunRecord, repeatIndex: Int = 0, item: String = "") -> FlowContext {
        let principal = principal(for: run)
        return FlowContext(
            principal: principal, scope: AccessScope(tenant: run.tenant, groups: run.spec.groups),
            stickyKey: "\(run.id)/\(item)/\(repeatIndex)", label: nil)
    }
}
