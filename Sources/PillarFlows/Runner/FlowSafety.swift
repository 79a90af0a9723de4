import PillarCore

/// The tenant-policy checks a flow can ask for, served by the server from each tenant's safety policy: the
/// content filter, the prompt shields and the PII recognizers. The runner knows nothing of policies.
public protocol FlowSafety: Sendable {
    /// Findings of the content filter at the tenant's thresholds (empty: passed).
    func contentFindings(_ text: String, tenant: String) async throws -> [String]
    /// Findings of the jailbreak shield (empty: passed).
    func jailbreakFindings(_ text: String, tenant: String) -> [String]
    /// Kinds of personal data found (empty: passed).
    func personalDataFindings(_ text: String, tenant: String) -> [String]
    /// What to do with a retrieved passage that holds instructions aimed at the model.
    func screenPassage(_ text: String, tenant: String) -> PassageScreening
}

public enum PassageScreening: Sendable, Hashable {
    case keep
    /// Keep the passage, wrapped so the model reads it as data, not as instructions.
    case fence(reason: String)
    case drop(reason: String)
    /// Stop: the tenant blocks answers built on injected documents.
    case block(reason: String)
}
