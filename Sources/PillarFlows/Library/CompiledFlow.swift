import PillarCore

/// A flow version checked and ready to run: its spec, plus every template node's template parsed (so a
/// broken template is refused when the flow is saved, with the node's line).
public struct CompiledFlow: Sendable {
    public let spec: FlowSpec
    let templates: [String: PromptTemplate]

    public init(yaml: String, allowedHosts: Set<String>) throws(PillarError) {
        let spec: FlowSpec
        do {
            spec = try FlowSpec.parse(yaml: yaml, allowedHosts: allowedHosts)
        } catch {
            throw PillarError.invalidRequest("The flow is not valid:\n\(error.description)", code: "invalid_flow")
        }
        var templates: [String: PromptTemplate] = [:]
        var problems: [String] = []
        var limit: PromptTemplateLimit?
        for node in spec.nodes {
            guard case .template(let step) = node.kind else { continue }
            let variables = step.variables.map { PromptVariable(name: $0.name, required: false) }
            do {
                templates[node.name] = try PromptTemplate(source: step.template, variables: variables, requireAllUsed: false)
            } catch {
                limit = limit ?? error.limit
                problems += error.problems.map {
                    "line \(node.line): node '\(node.name)': template line \($0.line): \($0.message)"
                }
            }
        }
        guard problems.isEmpty else {
            throw PillarError.invalidRequest(
                "The flow is not valid:\n" + problems.joined(separator: "\n"),
                code: limit?.code ?? "invalid_flow")
        }
        self.spec = spec
        self.templates = templates
    }
}
