import PillarCore
import PillarFlows
import PillarMonitoring

/// Canary analyses move labels through the prompt and flow libraries, so every move passes the same checks
/// a person's would: the version exists, and `production` admits only gated versions where a tenant
/// requires evaluation.
struct LibraryCanaryLabels: CanaryLabels {
    let prompts: VersionedLibrary<CompiledPrompt>
    let flows: VersionedLibrary<CompiledFlow>

    func split(tenant: String, kind: LibraryKind, name: String, label: String) async throws -> [WeightedVersion]? {
        let labels =
            switch kind {
            case .prompt: try await prompts.labels(tenant: tenant, name: name)
            case .flow: try await flows.labels(tenant: tenant, name: name)
            }
        return labels.first { $0.label == label }?.split
    }

    func setSplit(
        tenant: String, kind: LibraryKind, name: String, label: String, split: [WeightedVersion],
        by actor: String
    ) async throws {
        switch kind {
        case .prompt: _ = try await prompts.setLabel(tenant: tenant, name: name, label: label, split: split, by: actor)
        case .flow: _ = try await flows.setLabel(tenant: tenant, name: name, label: label, split: split, by: actor)
        }
    }
}
