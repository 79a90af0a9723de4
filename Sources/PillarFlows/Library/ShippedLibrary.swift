import Foundation
import PillarCore

/// The prompts and flows that ship with Pillar (the RAG flow and its prompts), read from the module's
/// resources: `Shipped/prompts/NAME.json` and `Shipped/flows/NAME.yaml`.
public enum ShippedLibrary {
    public static let prompts: [String: String] = load("prompts", extension: "json")
    public static let flows: [String: String] = load("flows", extension: "yaml")
    /// The flow that answers from the tenant's documents with citations: what a chat offers first.
    public static let groundedFlow = "rag"

    static func load(_ folder: String, extension fileExtension: String) -> [String: String] {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("Shipped").appendingPathComponent(folder),
            let files = try? FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)
        else { return [:] }
        var bodies: [String: String] = [:]
        for file in files where file.pathExtension == fileExtension {
            if let body = try? String(contentsOf: file, encoding: .utf8) {
                bodies[file.deletingPathExtension().lastPathComponent] = body
            }
        }
        return bodies
    }

    /// The prompt library, with the shipped prompts.
    public static func promptLibrary(
        _ repository: any LibraryRepository,
        approval: (any PromotionApproval)? = nil
    ) -> VersionedLibrary<CompiledPrompt> {
        VersionedLibrary(kind: .prompt, repository: repository, shipped: prompts, approval: approval) {
            body throws(PillarError) in
            let definition: PromptDefinition
            do {
                definition = try JSONDecoder().decode(PromptDefinition.self, from: Data(body.utf8))
            } catch {
                throw PillarError.invalidRequest(
                    "The prompt is not valid JSON of the prompt's shape: \(error)", code: "invalid_prompt")
            }
            return try CompiledPrompt(definition)
        }
    }

    /// The flow library, with the shipped flows; http nodes may call only `allowedHosts`.
    public static func flowLibrary(
        _ repository: any LibraryRepository, allowedHosts: Set<String>,
        approval: (any PromotionApproval)? = nil
    ) -> VersionedLibrary<CompiledFlow> {
        VersionedLibrary(kind: .flow, repository: repository, shipped: flows, approval: approval) { body throws(PillarError) in
            try CompiledFlow(yaml: body, allowedHosts: allowedHosts)
        }
    }
}
