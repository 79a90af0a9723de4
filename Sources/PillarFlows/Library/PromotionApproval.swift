import PillarCore

/// Says whether versions may start serving a library's `production` label. The library asks it before any
/// change that would put a version in front of users that is not there now; rollbacks, which only return
/// to what served before, are not asked.
public protocol PromotionApproval: Sendable {
    /// Throws a `PillarError` when one of `versions` may not serve yet.
    func approve(kind: LibraryKind, tenant: String, name: String, versions: [Int], by actor: String) async throws
}
