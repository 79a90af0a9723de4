import Foundation
import PillarCore
import PillarGateway
import PillarTokenization

/// Everything `pillar serve` can be told, as one typed tree. Read from a YAML file, then overridden by
/// `PILLAR_…` environment variables, then by command-line flags. Secrets never live in the YAML: a
/// deployment names the environment variable or file that holds its key.
public struct PillarConfiguration: Sendable, Codable, Hashable {
    public struct Server: Sendable, Codable, Hashable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        public var dataDirectory: String = "./pillar-data"
        /// Request bodies above this many bytes are refused with 413.
        public var maxBodyBytes: Int = 4 * 1024 * 1024
        public var logFormat: LogFormat = .text
        public var logLevel: String = "info"
        /// Serve `/metrics` without credentials on this separate port (for a Prometheus scraper on a private
        /// network). Without it, `/metrics` is on the main port for admins only.
        public var metricsPort: Int?
        /// How long a valid API key is remembered without reading the key table again: a key revoked by another
        /// process (the CLI, another replica) keeps working this long on this server. 0 reads it every time.
        public var apiKeyCacheSeconds: Double = 5
        /// On SIGTERM, requests in flight get this long to finish; then they are cancelled (their upstream
        /// calls with them) and the process exits, so a stuck upstream cannot hold a shutdown.
        public var drainSeconds: Double = 10
        /// A connection with no request for this long is closed (Hummingbird's idle timeout).
        public var idleTimeoutSeconds: Double = 30
        /// A request must arrive whole, head and body, within this long of the connection waiting for it (it
        /// opened, or the previous response ended); later, the connection is closed (a 408 if the body was late).
        public var readTimeoutSeconds: Double = 60
        /// Connections one client address may hold open at once; more are refused with 503. 0 lifts the cap
        /// (for a server behind a reverse proxy, where every connection comes from the proxy).
        public var maxConnectionsPerAddress: Int = 256
        /// What ends TLS in front of Pillar (a load balancer, an ingress), when one does: Pillar serves plain
        /// HTTP, so the review wants either this or a loopback-only address.
        public var tlsTerminatedBy: String?

        public init() {}
    }

    /// The Azure OpenAI routes (`/openai/deployments/{deployment}/…`): which Pillar model or flow each
    /// deployment name stands for. A name not listed is the Pillar model of the same name.
    public struct AzureRoutes: Sendable, Codable, Hashable {
        public var deployments: [String: String] = [:]

        public init() {}
    }

    public enum LogFormat: String, Sendable, Codable, Hashable {
        case text, json
    }

    public struct OIDC: Sendable, Codable, Hashable {
        /// The `iss` every token must carry, e.g. `https://login.microsoftonline.com/<tid>/v2.0`.
        public var issuer: String
        /// Accepted `aud` values (the application's client id or App ID URI).
        public var audiences: [String]
        /// Where the signing keys are; by default read from the issuer's discovery document.
        public var jwksURL: String?
        /// Claim naming the tenant (Entra ID: `tid`). Missing: every token maps to `defaultTenant`.
        public var tenantClaim: String?
        /// Maps claim values to Pillar tenant ids; values not listed are refused.
        public var tenantMap: [String: String]?
        public var defaultTenant: String?
        public var subjectClaim: String = "sub"
        public var rolesClaim: String = "roles"
        public var groupsClaim: String = "groups"
        /// Maps claim role values to Pillar roles, e.g. `Pillar.Admin: admin`. Unmapped values are ignored.
        public var roleMap: [String: String] = ["admin": "admin", "user": "user"]
        /// Role given to a valid token that carries none of the mapped roles; nil refuses such tokens.
        public var defaultRole: String? = "user"
        public var leewaySeconds: Int = 60
        /// How often the keys are fetched again even when no unknown key id was seen.
        public var jwksRefreshSeconds: Int = 3600

        public init(issuer: String, audiences: [String]) {
            self.issuer = issuer
            self.audiences = audiences
        }
    }

    public struct Deployment: Sendable, Codable, Hashable {
        public var name: String
        public var api: String = "openai"
        public var baseURL: String
        /// Upstream model (OpenAI-compatible) or deployment name (Azure).
        public var model: String
        public var apiVersion: String?
        /// The environment variable holding the key.
        public var apiKeyEnv: String?
        /// A file holding the key (a mounted secret).
        public var apiKeyFile: String?
        /// Names clients use; by default the deployment's own name.
        public var models: [String]?
        public var priority: Int = 0
        /// Share of traffic among deployments of the same priority.
        public var weight: Double = 1
        /// Cap on requests in flight to this deployment; nil: no cap.
        public var maxInFlight: Int?
        /// The encoding its model counts tokens with (cl100k_base or o200k_base), when the upstream model name does
        /// not tell; other families are counted with cl100k_base.
        public var tokenizer: String?
        /// What the model can do: `chat`, `embeddings`, or both (the default). A request for anything else is
        /// refused with 400 before it is sent.
        public var capabilities: [String]?

        public init(name: String, baseURL: String, model: String) {
            self.name = name
            self.baseURL = baseURL
            self.model = model
        }
    }

    public struct LocalModel: Sendable, Codable, Hashable {
        /// `auto`: run it when no deployment is configured; `on`: always; `off`: never.
        public var mode: String = "auto"
        public var serverPath: String?
        public var modelPath: String?
        public var name: String = "smollm2-135m-instruct"
        /// 0 picks a free loopback port.
        public var port: Int = 0
        public var contextSize: Int = 8192
        public var threads: Int?
        public var parallel: Int = 4

        public init() {}
    }

    public struct Timeouts: Sendable, Codable, Hashable {
        public var connectSeconds: Double = 3
        /// A stream's first token must come this soon after the request left, or another deployment is tried.
        public var firstTokenSeconds: Double = 30
        /// A whole (not streamed) call's response head must come this soon after the request left, or another
        /// deployment is tried. The head of a whole answer comes once all of it is written, so this covers the
        /// longest whole generation.
        public var firstByteSeconds: Double = 120
        /// Longest silence between two events of a stream.
        public var idleSeconds: Double = 30
        public var totalSeconds: Double = 300

        public init() {}
    }

    /// Retries, circuit breakers and bulkheads of the model gateway.
    public struct Gateway: Sendable, Codable, Hashable {
        public var maxAttempts: Int = 4
        public var retryBaseDelayMs: Int = 200
        public var retryMaxDelayMs: Int = 8000
        public var retryTotalSeconds: Double = 30
        public var breakerFailureRate: Double = 0.5
        public var breakerMinimumCalls: Int = 5
        public var breakerWindowSeconds: Double = 30
        public var breakerOpenSeconds: Double = 15
        public var breakerHalfOpenProbes: Int = 1
        /// Requests one tenant may have in flight; nil: no cap.
        public var maxInFlightPerTenant: Int?
        /// How long a request waits for a deployment at its cap before a 503.
        public var queueTimeoutMs: Int = 2000
        /// HTTP/1.1 connections kept to each upstream host. Each carries one request at a time, so this
        /// bounds a deployment's concurrency (AsyncHTTPClient's own default of 8 capped Pillar at 8).
        public var connectionsPerHost: Int = 256
        /// Settings of single pools, by the model name clients use.
        public var pools: [String: Pool] = [:]
        /// Where the tokenizers' rank files are (`make setup` puts them in $PILLAR_CACHE/tokenizers).
        public var tokenizerDirectory: String?

        public init() {}
    }

    /// What one model's pool of deployments does beyond the gateway's defaults.
    public struct Pool: Sendable, Codable, Hashable {
        /// A stream that fails after tokens reached the client goes on at another deployment, which is sent the
        /// answer so far as a final assistant message. Only for upstreams that continue such a message.
        public var continueInterruptedStreams: Bool = false

        public init(continueInterruptedStreams: Bool = false) {
            self.continueInterruptedStreams = continueInterruptedStreams
        }
    }

    public var server = Server()
    public var oidc: [OIDC] = []
    public var deployments: [Deployment] = []
    public var localModel = LocalModel()
    public var timeouts = Timeouts()
    public var gateway = Gateway()
    public var limits = Limits()
    /// Prices by the model name clients use, for cost accounting.
    public var prices: [String: ModelPrice] = [:]
    public var retrieval = Retrieval()
    public var flows = Flows()
    public var safety = Safety()
    public var evaluation = Evaluation()
    public var promotion = Promotion()
    public var monitoring = Monitoring()
    public var assurance = Assurance()
    public var azure = AzureRoutes()

    /// Rate limits and token budgets per tenant and per API key.
    public struct Limits: Sendable, Codable, Hashable {
        /// Limits of every tenant not listed in `tenants`.
        public var tenantDefault: UsageLimits?
        public var tenants: [String: UsageLimits] = [:]
        /// Limits of single API keys, by key id (`key_…`).
        public var keys: [String: UsageLimits] = [:]
        /// The completion reserved for a request without `max_tokens` when a budget applies.
        public var defaultCompletionTokens: Int = 1024

        public init() {}
    }

    public init() {}
}

extension PillarConfiguration {
    /// Whether the embedded local model runs.
    public var runsLocalModel: Bool {
        switch localModel.mode {
        case "on": return true
        case "off": return false
        default: return deployments.isEmpty
        }
    }

    /// Reads a YAML file (when given) and the environment.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> PillarConfiguration
    {
        var configuration = PillarConfiguration()
        if let file {
            configuration = try ConfigurationFile.decode(path: file)
        }
        try configuration.applyEnvironment(environment)
        return configuration
    }

    /// `PILLAR_HOST`, `PILLAR_PORT`, `PILLAR_DATA_DIR`, `PILLAR_MAX_BODY_BYTES`, `PILLAR_LOG_FORMAT`,
    /// `PILLAR_LOG_LEVEL`, `PILLAR_METRICS_PORT`, `PILLAR_LOCAL_MODEL` (auto/on/off), `PILLAR_LLAMA_SERVER`,
    /// `PILLAR_LOCAL_MODEL_PATH`, `PILLAR_LOCAL_EMBEDDER` (auto/on/off), `PILLAR_EMBEDDING_MODEL_PATH`.
    mutating func applyEnvironment(_ environment: [String: String]) throws {
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text) else { throw ConfigurationError(key: name, "must be an integer, got '\(text)'") }
            return value
        }
        if let host = environment["PILLAR_HOST"] { server.host = host }
        if let port = try integer("PILLAR_PORT") { server.port = port }
        if let directory = environment["PILLAR_DATA_DIR"] { server.dataDirectory = directory }
        if let bytes = try integer("PILLAR_MAX_BODY_BYTES") { server.maxBodyBytes = bytes }
        if let format = environment["PILLAR_LOG_FORMAT"] {
            guard let value = LogFormat(rawValue: format) else {
                throw ConfigurationError(key: "PILLAR_LOG_FORMAT", "must be text or json, got '\(format)'")
            }
            server.logFormat = value
        }
        if let level = environment["PILLAR_LOG_LEVEL"] { server.logLevel = level }
        if let port = try integer("PILLAR_METRICS_PORT") { server.metricsPort = port }
        if let mode = environment["PILLAR_LOCAL_MODEL"] { localModel.mode = mode }
        if let path = environment["PILLAR_LLAMA_SERVER"] { localModel.serverPath = path }
        if let path = environment["PILLAR_LOCAL_MODEL_PATH"] { localModel.modelPath = path }
        if let mode = environment["PILLAR_LOCAL_EMBEDDER"] { retrieval.localEmbedder.mode = mode }
        if let path = environment["PILLAR_EMBEDDING_MODEL_PATH"] { retrieval.localEmbedder.modelPath = path }
    }

    /// Checks the whole tree; errors name the key at fault.
    public func validate() throws {
        guard (0...65535).contains(server.port) else { throw ConfigurationError(key: "server.port", "must be 0-65535") }
        if let port = server.metricsPort, !(1...65535).contains(port) {
            throw ConfigurationError(key: "server.metricsPort", "must be 1-65535")
        }
        guard server.maxBodyBytes >= 1024 else {
            throw ConfigurationError(key: "server.maxBodyBytes", "must be at least 1024")
        }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(server.logLevel) else {
            throw ConfigurationError(
                key: "server.logLevel", "must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard ["auto", "on", "off"].contains(localModel.mode) else {
            throw ConfigurationError(key: "localModel.mode", "must be auto, on or off")
        }
        var names = Set<String>()
        for (index, deployment) in deployments.enumerated() {
            let key = "deployments[\(index)]"
            guard !deployment.name.isEmpty, names.insert(deployment.name).inserted else {
                throw ConfigurationError(key: "\(key).name", "must be present and unique")
            }
            guard ModelDeployment.API(rawValue: deployment.api) != nil else {
                throw ConfigurationError(key: "\(key).api", "must be openai or azure")
            }
            guard let url = URL(string: deployment.baseURL), url.scheme == "http" || url.scheme == "https",
                url.host != nil
            else {
                throw ConfigurationError(key: "\(key).baseURL", "must be an http(s) URL")
            }
            if deployment.api == "azure", deployment.apiVersion == nil {
                throw ConfigurationError(key: "\(key).apiVersion", "is required for Azure OpenAI deployments")
            }
            guard deployment.weight > 0 else { throw ConfigurationError(key: "\(key).weight", "must be above 0") }
            if let cap = deployment.maxInFlight, cap < 1 {
                throw ConfigurationError(key: "\(key).maxInFlight", "must be at least 1")
            }
            if let tokenizer = deployment.tokenizer, TokenizerFamily(rawValue: tokenizer) == nil {
                throw ConfigurationError(
                    key: "\(key).tokenizer", "must be one of \(TokenizerFamily.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let capabilities = deployment.capabilities {
                let known = ModelDeployment.Capability.allCases.map(\.rawValue)
                guard !capabilities.isEmpty, capabilities.allSatisfy(known.contains) else {
                    throw ConfigurationError(
                        key: "\(key).capabilities", "must list one or more of \(known.joined(separator: ", "))")
                }
            }
            if deployment.apiKeyEnv != nil, deployment.apiKeyFile != nil {
                throw ConfigurationError(key: "\(key).apiKeyEnv", "give apiKeyEnv or apiKeyFile, not both")
            }
        }
        for (name, model) in azure.deployments where name.isEmpty || model.isEmpty {
            throw ConfigurationError(key: "azure.deployments", "deployment names and the models they stand for must not be empty")
        }
        guard (0.1...3_600).contains(server.drainSeconds) else {
            throw ConfigurationError(key: "server.drainSeconds", "must be 0.1-3600 seconds")
        }
        guard (0...3_600).contains(server.apiKeyCacheSeconds) else {
            throw ConfigurationError(key: "server.apiKeyCacheSeconds", "must be 0-3600 seconds")
        }
        for (key, seconds) in [
            ("idleTimeoutSeconds", server.idleTimeoutSeconds), ("readTimeoutSeconds", server.readTimeoutSeconds),
        ]
        where !(0.1...86_400).contains(seconds) {
            throw ConfigurationError(key: "server.\(key)", "must be 0.1-86400 seconds")
        }
        guard server.maxConnectionsPerAddress >= 0 else {
            throw ConfigurationError(key: "server.maxConnectionsPerAddress", "must be 0 (no cap) or more")
        }
        guard (1...10_000).contains(gateway.connectionsPerHost) else {
            throw ConfigurationError(key: "gateway.connectionsPerHost", "must be 1-10000")
        }
        guard gateway.maxAttempts >= 1 else { throw ConfigurationError(key: "gateway.maxAttempts", "must be at least 1") }
        guard (0.0...1.0).contains(gateway.breakerFailureRate), gateway.breakerFailureRate > 0 else {
            throw ConfigurationError(key: "gateway.breakerFailureRate", "must be above 0 and at most 1")
        }
        guard gateway.breakerMinimumCalls >= 1 else {
            throw ConfigurationError(key: "gateway.breakerMinimumCalls", "must be at least 1")
        }
        guard gateway.breakerHalfOpenProbes >= 1 else {
            throw ConfigurationError(key: "gateway.breakerHalfOpenProbes", "must be at least 1")
        }
        if let cap = gateway.maxInFlightPerTenant, cap < 1 {
            throw ConfigurationError(key: "gateway.maxInFlightPerTenant", "must be at least 1")
        }
        let servedModels = Set(deployments.flatMap { $0.models ?? [$0.name] } + [localModel.name])
        for model in gateway.pools.keys.sorted() where !servedModels.contains(model) {
            throw ConfigurationError(key: "gateway.pools.\(model)", "no deployment serves this model")
        }
        for (key, value) in [
            ("timeouts.connectSeconds", timeouts.connectSeconds), ("timeouts.firstTokenSeconds", timeouts.firstTokenSeconds),
            ("timeouts.firstByteSeconds", timeouts.firstByteSeconds),
            ("timeouts.idleSeconds", timeouts.idleSeconds), ("timeouts.totalSeconds", timeouts.totalSeconds),
            ("gateway.retryTotalSeconds", gateway.retryTotalSeconds),
            ("gateway.breakerWindowSeconds", gateway.breakerWindowSeconds),
            ("gateway.breakerOpenSeconds", gateway.breakerOpenSeconds),
        ]
        where !(value > 0 && value <= 86_400) {
            throw ConfigurationError(key: key, "must be above 0 and at most 86400 seconds")
        }
        for (key, value) in [
            ("gateway.retryBaseDelayMs", gateway.retryBaseDelayMs), ("gateway.retryMaxDelayMs", gateway.retryMaxDelayMs),
            ("gateway.queueTimeoutMs", gateway.queueTimeoutMs),
        ] where !(0...3_600_000).contains(value) {
            throw ConfigurationError(key: key, "must be 0-3600000 milliseconds")
        }
        let allLimits =
            [("limits.tenantDefault", limits.tenantDefault)].compactMap { key, value in value.map { (key, $0) } }
            + limits.tenants.map { ("limits.tenants.\($0.key)", $0.value) }
            + limits.keys.map { ("limits.keys.\($0.key)", $0.value) }
        for (key, value) in allLimits {
            for (field, number) in [
                ("requestsPerMinute", value.requestsPerMinute), ("tokensPerMinute", value.tokensPerMinute),
                ("tokensPerDay", value.tokensPerDay), ("tokensPerMonth", value.tokensPerMonth),
            ] {
                if let number, number < 1 { throw ConfigurationError(key: "\(key).\(field)", "must be at least 1") }
            }
            for (field, dollars) in [("costPerDayUSD", value.costPerDayUSD), ("costPerMonthUSD", value.costPerMonthUSD)] {
                if let dollars, !(dollars > 0 && dollars < 1e9) {
                    throw ConfigurationError(key: "\(key).\(field)", "must be above 0 dollars")
                }
            }
        }
        for (model, price) in prices
        where
            !(price.inputPerMillion >= 0 && price.outputPerMillion >= 0 && price.inputPerMillion < 1e6
            && price.outputPerMillion < 1e6)
        {
            throw ConfigurationError(key: "prices.\(model)", "prices must be 0 or more dollars per million tokens")
        }
        try validateRetrieval()
        try validateFlows()
        try validateEvaluation()
        try validateMonitoring()
        try validateSafety()
        try validateAssurance()
        guard limits.defaultCompletionTokens >= 1 else {
            throw ConfigurationError(key: "limits.defaultCompletionTokens", "must be at least 1")
        }
        for (index, provider) in oidc.enumerated() {
            guard URL(string: provider.issuer)?.scheme != nil else {
                throw ConfigurationError(key: "oidc[\(index)].issuer", "must be a URL")
            }
            guard !provider.audiences.isEmpty else {
                throw ConfigurationError(key: "oidc[\(index)].audiences", "must list at least one audience")
            }
            guard provider.tenantClaim != nil || provider.defaultTenant != nil else {
                throw ConfigurationError(key: "oidc[\(index)].tenantClaim", "give tenantClaim or defaultTenant")
            }
            for (claim, role) in provider.roleMap where Role(rawValue: role) == nil {
                throw ConfigurationError(key: "oidc[\(index)].roleMap.\(claim)", "must map to admin or user")
            }
        }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let key: String
    public let problem: String

    public init(key: String, _ problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "configuration: \(key) \(problem)" }
}
