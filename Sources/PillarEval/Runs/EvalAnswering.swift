import PillarCore

/// How a run's questions reach the serving path. The server implements it over the same flow service, gateway,
/// guards and retrieval that answer users, so a run measures what users get.
public protocol EvalAnswering: Sendable {
    /// Checks the spec against what the server serves and pins the versions the run will use (the flow's
    /// version, the index as it stands, the configuration's digest). Throws a `PillarError` a caller can act on.
    func prepare(_ spec: EvalRunSpec, tenant: String) async throws -> EvalRunVersions
    /// Asks one item's question. A guard's refusal is an answer (`refused`), not an error; errors thrown are
    /// the flow's or the models' failures.
    func answer(_ item: EvalItem, repeatIndex: Int, run: EvalRunRecord) async throws -> EvalAnswered
}

/// One answer, unscored, with the versions that produced it.
public struct EvalAnswered: Sendable {
    public var result: EvalResult
    public var prompts: [FlowTrace.ArtifactUse]
    public var models: [String]
    public var deployments: [String]

    public init(result: EvalResult, prompts: [FlowTrace.ArtifactUse], models: [String], deployments: [String]) {
        self.result = result
        self.prompts = prompts
        self.models = models
        self.deployments = deployments
    }
}

/// How a judge prompt reaches a model: the server's gateway, metered as evaluation.
public protocol EvalJudging: Sendable {
    /// Renders the judge prompt with `variables` and asks `model` (nil: the prompt's or the configured judge
    /// model). Returns what the model said and the prompt version used.
    func ask(prompt: String, variables: [String: JSONValue], model: String?, run: EvalRunRecord) async throws -> JudgeReply
}

public struct JudgeReply: Sendable {
    public var text: String
    public var prompt: FlowTrace.ArtifactUse
    public var model: String
    public var usage: Usage
    public var costUSD: Double?

    public init(text: String, prompt: FlowTrace.ArtifactUse, model: String, usage: Usage, costUSD: Double?) {
        self.text = text
        self.prompt = prompt
        self.model = model
        self.usage = usage
        self.costUSD = costUSD
    }
}
