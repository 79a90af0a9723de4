import PillarCore

/// One upstream that can serve chat completions: an OpenAI-compatible server (OpenAI, vLLM, Ollama,
/// llama.cpp…) or an Azure OpenAI deployment.
public struct ModelDeployment: Sendable, Hashable, CustomStringConvertible {
    public enum API: String, ConfigurationChoice {
        case openAI = "openai"
        case azureOpenAI = "azure"
    }

    /// What a deployment's model can do; a request for anything else is refused before it is sent.
    public enum Capability: String, ConfigurationChoice, Comparable {
        case chat
        case embeddings

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Pillar's own name for the deployment, used in logs, metrics and turn records.
    public var name: String
    public var api: API
    /// OpenAI-compatible: the base URL up to and including `/v1`. Azure: the resource endpoint.
    public var baseURL: String
    /// OpenAI-compatible: the upstream model name. Azure: the deployment name.
    public var upstreamModel: String
    /// Azure only: the `api-version` query parameter.
    public var apiVersion: String?
    /// The secret sent upstream; never logged or shown.
    public var apiKey: String?
    /// The model names clients use to reach this deployment.
    public var servedModels: [String]
    /// Lower numbers are tried first (provisioned capacity before pay-as-you-go).
    public var priority: Int
    /// A URL that answers 2xx only when the deployment can serve (llama-server's `/health` says 503 while
    /// the model loads). Without it, readiness asks the models endpoint.
    public var healthURL: String?
    /// The encoding its model counts tokens with (`cl100k_base`, `o200k_base`), when its upstream model name
    /// does not tell (an Azure deployment name, a model of another family).
    public var tokenizer: String?
    /// Chat, embeddings, or both (the default for a deployment whose configuration does not say).
    public var capabilities: Set<Capability>

    public init(
        name: String, api: API, baseURL: String, upstreamModel: String, apiVersion: String? = nil,
        apiKey: String? = nil, servedModels: [String], priority: Int = 0, healthURL: String? = nil,
        tokenizer: String? = nil, capabilities: Set<Capability> = Set(Capability.allCases)
    ) {
        self.tokenizer = tokenizer
        self.capabilities = capabilities
        self.healthURL = healthURL
        self.name = name
        self.api = api
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.upstreamModel = upstreamModel
        self.apiVersion = apiVersion
        self.apiKey = apiKey
        self.servedModels = servedModels
        self.priority = priority
    }

    /// Says what it is without the key.
    public var description: String { "\(name) (\(api.rawValue) \(baseURL) model=\(upstreamModel))" }

    /// The `gen_ai.provider.name` of OpenTelemetry's GenAI conventions.
    public var providerName: String { api == .azureOpenAI ? "azure.ai.openai" : "openai" }

    var chatCompletionsURL: String {
        switch api {
        case .openAI:
            return "\(baseURL)/chat/completions"
        case .azureOpenAI:
            return "\(baseURL)/openai/deployments/\(upstreamModel)/chat/completions?api-version=\(apiVersion ?? "2024-10-21")"
        }
    }

    var embeddingsURL: String {
        switch api {
        case .openAI:
            return "\(baseURL)/embeddings"
        case .azureOpenAI:
            return "\(baseURL)/openai/deployments/\(upstreamModel)/embeddings?api-version=\(apiVersion ?? "2024-10-21")"
        }
    }

    var modelsURL: String {
        switch api {
        case .openAI: return "\(baseURL)/models"
        case .azureOpenAI: return "\(baseURL)/openai/models?api-version=\(apiVersion ?? "2024-10-21")"
        }
    }
}
