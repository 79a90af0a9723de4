import PillarCore
import PillarFlows

/// Judges as prompts in the tenant's library (so they are versioned, labelled and promoted like any prompt),
/// asked through the same models flows use, as the run's evaluation identity.
public struct LibraryJudge: EvalJudging {
    let prompts: VersionedLibrary<CompiledPrompt>
    let models: any FlowModels
    let defaultModel: String
    let prices: [String: ModelPrice]

    public init(
        prompts: VersionedLibrary<CompiledPrompt>, models: any FlowModels, defaultModel: String,
        prices: [String: ModelPrice]
    ) {
        self.prompts = prompts
        self.models = models
        self.defaultModel = defaultModel
        self.prices = prices
    }

    public func ask(
        prompt reference: String, variables: [String: JSONValue], model: String?,
        run: EvalRunRecord
    ) async throws -> JudgeReply {
        try await ask(prompt: reference, variables: variables, model: model, context: EvalIdentity.context(for: run))
    }

    /// Asks as `context`'s principal: an evaluation run's identity, or production monitoring's.
    public func ask(
        prompt reference: String, variables: [String: JSONValue], model: String?,
        context: FlowContext
    ) async throws -> JudgeReply {
        let prompt = try await prompts.resolve(
            try LibraryReference(parsing: reference), tenant: context.principal.tenant,
            runLabel: nil, stickyKey: context.stickyKey)
        let parameters = prompt.value.definition.parameters
        let chosen = model ?? parameters.model ?? defaultModel
        guard models.serves(chosen) else { throw PillarError.modelNotFound(chosen) }
        var request = ChatCompletionRequest(model: chosen, messages: try prompt.value.render(variables))
        request.maxTokens = parameters.maxTokens ?? 200
        request.temperature = parameters.temperature ?? 0
        let generation = try await models.generate(request, context: context, onDelta: nil)
        let usage = generation.usage ?? Usage(promptTokens: 0, completionTokens: 0)
        return JudgeReply(
            text: generation.text, prompt: prompt.use, model: chosen, usage: usage,
            costUSD: prices[chosen]?.cost(of: usage))
    }
}
