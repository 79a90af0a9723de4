import PillarCore
import PillarGateway
import PillarRetrieval

/// Who is running a flow, and for which conversation: everything a step needs to act within the caller's
/// rights and to keep a canary's choice sticky.
public struct FlowContext: Sendable {
    public var principal: Principal
    public var scope: AccessScope
    /// A conversation id, or for stateless calls something as stable (the first message's hash).
    public var stickyKey: String
    /// The label the caller asked for (prompts without it fall back to `production`).
    public var label: String?
    /// Prompt versions an evaluation pins, by prompt name: they replace what the flow's llm nodes would resolve.
    public var promptOverrides: [String: LibraryReference]
    /// A model every llm node uses instead of its own, when an evaluation compares models.
    public var modelOverride: String?

    public init(
        principal: Principal, scope: AccessScope, stickyKey: String, label: String?,
        promptOverrides: [String: LibraryReference] = [:], modelOverride: String? = nil
    ) {
        self.principal = principal
        self.scope = scope
        self.stickyKey = stickyKey
        self.label = label
        self.promptOverrides = promptOverrides
        self.modelOverride = modelOverride
    }

    public var caller: ModelGateway.Caller { .init(tenant: principal.tenant, subject: principal.subject) }
}

/// A model's answer to one llm step.
public struct Generation: Sendable {
    public var text: String
    public var usage: Usage?
    public var deployment: String?

    public init(text: String, usage: Usage?, deployment: String?) {
        self.text = text
        self.usage = usage
        self.deployment = deployment
    }
}

/// How flows reach models: through the gateway, with the caller's admission and metering, which the server
/// wires (the flow runner knows nothing of budgets or turn records).
public protocol FlowModels: Sendable {
    /// Whether a model name is one the gateway serves.
    func serves(_ model: String) -> Bool
    /// Calls the model; with `onDelta`, the answer streams through it as it arrives.
    func generate(
        _ request: ChatCompletionRequest, context: FlowContext,
        onDelta: (@Sendable (String) async throws -> Void)?
    ) async throws -> Generation
}
