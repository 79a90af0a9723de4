import Foundation
import PillarCore
import PillarGateway
import PillarTokenization

/// Everything `pillar serve` can be told, as one typed tree. Read from a YAML file, then overridden by files in
/// a secrets directory, `PILLAR_…` environment variables and command-line flags, one naming rule for all three
/// (`ConfigurationLayers`). Secrets never live in the YAML: a
/// deployment names the environment variable or file that holds its key.
public struct PillarConfiguration: Sendable, Codable, Hashable {
    public struct Server: Sendable, Codable, Hashable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        public var dataDirectory: String = "./pillar-data"
        /// Request bodies above this many bytes are refused with 413.
        public var maxBodyBytes: Int = 4 * 1024 * 1024
        public var logFormat: LogFormat = .text
        public var logLevel: LogLevel = .info
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
        /// What ends TLS in front of Pillar (a load balancer, an ingress), when one does and Pillar serves plain
        /// HTTP behind it; the review wants this, `tls`, or a loopback-only address.
        public var tlsTerminatedBy: String?
        /// Pillar serves HTTPS itself on `port`.
        public var tls: TLS?

        public init() {}
    }

    /// HTTPS served by Pillar: a PEM certificate chain and key, read again when they change.
    public struct TLS: Sendable, Codable, Hashable {
        public var certificateFile: String
        public var keyFile: String
        /// How often the files are checked for a renewal.
        public var reloadSeconds: Double = 30
        /// A plain-HTTP port that only redirects to HTTPS (308); unset, plain HTTP is not served at all.
        public var redirectPort: Int?
        /// HSTS's `max-age` on every response; 0 sends no HSTS header.
        public var hstsSeconds: Int = 15_552_000

        public init(certificateFile: String, keyFile: String) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    /// The Azure OpenAI routes (`/openai/deployments/{deployment}/…`): which Pillar model or flow each
    /// deployment name stands for. A name not listed is the Pillar model of the same name.
    public struct AzureRoutes: Sendable, Codable, Hashable {
        public var deployments: [String: String] = [:]

        public init() {}
    }

    public enum LogFormat: String, ConfigurationChoice {
        case text, json
    }

    /// swift-log's levels, most verbose first.
    public enum LogLevel: String, ConfigurationChoice {
        case trace, debug, info, notice, warning, error, critical
    }

    /// Whether an embedded part (the local model, the local embedder) runs.
    public enum RunMode: String, ConfigurationChoice {
        /// Runs when no configured deployment takes its place.
        case auto
        case on
        case off
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

    /// People signing in through the browser: OpenID Connect's authorization code flow with PKCE against one of
    /// the `oidc` issuers, whose claim mapping (tenant, roles, groups) the sign-in uses too.
    public struct SignIn: Sendable, Codable, Hashable {
        /// The `issuer` of the `oidc` entry to sign in with.
        public var issuer: String
        /// The client id registered with the provider for Pillar's web pages; ID tokens must name it as audience.
        public var clientId: String
        /// The environment variable holding the client secret; none: a public client (PKCE alone).
        public var clientSecretEnv: String?
        /// A file holding the client secret (a mounted secret).
        public var clientSecretFile: String?
        /// Where the provider sends the browser back: this server's `/auth/callback` as the browser reaches it,
        /// registered with the provider (e.g. `https://pillar.example.com/auth/callback`).
        public var redirectURL: String
        public var scopes: [String] = ["openid", "profile", "email", "offline_access"]
        /// A session ends this long after sign-in, however active the person is.
        public var sessionHours: Double = 8
        /// A session ends after this long without a request.
        public var idleMinutes: Double = 60
        /// At least this often the provider is asked (with the refresh token) whether the person may go on, and
        /// sooner when their ID token runs out: a person disabled or signed out at the provider loses the session
        /// within this time.
        public var renewMinutes: Double = 15
        /// Where the provider sends the browser after signing out there; by default the redirect URL's origin.
        public var postSignOutURL: String?

        public init(issuer: String, clientId: String, redirectURL: String) {
            self.issuer = issuer
            self.clientId = clientId
            self.redirectURL = redirectURL
        }
    }

    public struct Deployment: Sendable, Codable, Hashable {
        public var name: String
        public var api: ModelDeployment.API = .openAI
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
        public var capabilities: [ModelDeployment.Capability]?

        public init(name: String, baseURL: String, model: String) {
            self.name = name
            self.baseURL = baseURL
            self.model = model
        }
    }

    public struct LocalModel: Sendable, Codable, Hashable {
        /// `auto`: run it when no deployment is configured; `on`: always; `off`: never.
        public var mode: RunMode = .auto
        public var serverPath: String?
        public var modelPath: String?
        public var name: String = "smollm2-135m-instruct"
        /// 0 picks a free loopback port.
        public var port: Int = 0
        public var contextSize: Int = 8192
        public var threads: Int?
        public var parallel: Int = 4
        /// The sampling a request that sets none gets: SmolLM2's authors recommend temperature 0.2 and top-p 0.9
        /// (llama-server's own 0.8 makes the small model wander off even simple questions).
        public var temperature: Double = 0.2
        public var topP: Double = 0.9
        /// A reply stops at this many tokens (llama-server's `--n-predict`; a request's `max_tokens` above it is
        /// cut to it): a small model that loses its way would otherwise write until the context is full.
        public var maxReplyTokens: Int = 512

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
    public var signIn: SignIn?
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
        case .on: return true
        case .off: return false
        case .auto: return deployments.isEmpty
        }
    }

    /// Reads a YAML file (when given), then puts over it what the secrets directory, the environment and the
    /// arguments set (`ConfigurationLayers`), strongest last.
    ///
    /// - Parameters:
    ///   - arguments: settings given as flags (`--server-port 9000`).
    ///   - secretsDirectory: a directory of one file per setting; by default `PILLAR_SECRETS_DIR`, if set.
    public static func load(
        file: String?, arguments: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment,
        secretsDirectory: String? = nil
    ) async throws -> PillarConfiguration {
        let layers = try await ConfigurationLayers(
            arguments: arguments, environment: environment,
            secretsDirectory: secretsDirectory ?? environment["PILLAR_SECRETS_DIR"])
        let configuration = try ConfigurationFile.decode(path: file, overrides: try layers.overrides())
        try layers.rejectUnknown(referenced: configuration.referencedVariables)
        return configuration
    }

    /// The environment variables the configuration names as holding secrets.
    var referencedVariables: Set<String> {
        var names = Set(deployments.compactMap(\.apiKeyEnv) + monitoring.webhooks.compactMap(\.secretEnv))
        if let remote = safety.remoteClassifier { names.insert(remote.apiKeyEnv) }
        if let secret = signIn?.clientSecretEnv { names.insert(secret) }
        return names
    }

    /// Checks the whole tree; errors name the key at fault.
    public func validate() throws {
        var problems = ConfigurationProblems()
        validate(into: &problems)
        try problems.throwIfAny()
    }

    func validate(into problems: inout ConfigurationProblems) {
        problems.require((0...65535).contains(server.port), key: "server.port", "must be 0-65535")
        if let port = server.metricsPort, !(1...65535).contains(port) {
            problems.add(key: "server.metricsPort", "must be 1-65535")
        }
        problems.require(server.maxBodyBytes >= 1024, key: "server.maxBodyBytes", "must be at least 1024")
        if let tls = server.tls {
            problems.require((1...86_400).contains(tls.reloadSeconds), key: "server.tls.reloadSeconds", "must be 1-86400")
            problems.require(tls.hstsSeconds >= 0, key: "server.tls.hstsSeconds", "must be 0 (no HSTS) or more")
            if let port = tls.redirectPort {
                problems.require((1...65535).contains(port), key: "server.tls.redirectPort", "must be 1-65535")
                problems.require(port != server.port, key: "server.tls.redirectPort", "must differ from server.port")
            }
        }
        if let signIn { validate(signIn, into: &problems) }
        problems.require((0...2).contains(localModel.temperature), key: "localModel.temperature", "must be 0-2")
        problems.require(localModel.topP > 0 && localModel.topP <= 1, key: "localModel.topP", "must be above 0 and at most 1")
        problems.require(localModel.contextSize >= 256, key: "localModel.contextSize", "must be at least 256")
        problems.require(
            localModel.maxReplyTokens >= 1 && localModel.maxReplyTokens <= localModel.contextSize,
            key: "localModel.maxReplyTokens", "must be 1 to localModel.contextSize")
        var names = Set<String>()
        for (index, deployment) in deployments.enumerated() {
            let key = "deployments[\(index)]"
            problems.require(
                !deployment.name.isEmpty && names.insert(deployment.name).inserted, key: "\(key).name",
                "must be present and unique")
            problems.require(isWebURL(deployment.baseURL), key: "\(key).baseURL", "must be an http(s) URL")
            if deployment.api == .azureOpenAI, deployment.apiVersion == nil {
                problems.add(key: "\(key).apiVersion", "is required for Azure OpenAI deployments")
            }
            problems.require(deployment.weight > 0, key: "\(key).weight", "must be above 0")
            if let cap = deployment.maxInFlight, cap < 1 {
                problems.add(key: "\(key).maxInFlight", "must be at least 1")
            }
            if let tokenizer = deployment.tokenizer, TokenizerFamily(rawValue: tokenizer) == nil {
                problems.add(
                    key: "\(key).tokenizer", "must be one of \(TokenizerFamily.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if deployment.capabilities?.isEmpty == true {
                problems.add(key: "\(key).capabilities", "must list one or more of \(ModelDeployment.Capability.choices)")
            }
            if deployment.apiKeyEnv != nil, deployment.apiKeyFile != nil {
                problems.add(key: "\(key).apiKeyEnv", "give apiKeyEnv or apiKeyFile, not both")
            }
        }
        for (name, model) in azure.deployments where name.isEmpty || model.isEmpty {
            problems.add(key: "azure.deployments", "deployment names and the models they stand for must not be empty")
        }
        problems.require((0.1...3_600).contains(server.drainSeconds), key: "server.drainSeconds", "must be 0.1-3600 seconds")
        problems.require(
            (0...3_600).contains(server.apiKeyCacheSeconds), key: "server.apiKeyCacheSeconds", "must be 0-3600 seconds")
        for (key, seconds) in [
            ("idleTimeoutSeconds", server.idleTimeoutSeconds), ("readTimeoutSeconds", server.readTimeoutSeconds),
        ]
        where !(0.1...86_400).contains(seconds) {
            problems.add(key: "server.\(key)", "must be 0.1-86400 seconds")
        }
        problems.require(
            server.maxConnectionsPerAddress >= 0, key: "server.maxConnectionsPerAddress", "must be 0 (no cap) or more")
        problems.require((1...10_000).contains(gateway.connectionsPerHost), key: "gateway.connectionsPerHost", "must be 1-10000")
        problems.require(gateway.maxAttempts >= 1, key: "gateway.maxAttempts", "must be at least 1")
        problems.require(
            (0.0...1.0).contains(gateway.breakerFailureRate) && gateway.breakerFailureRate > 0, key: "gateway.breakerFailureRate",
            "must be above 0 and at most 1")
        problems.require(gateway.breakerMinimumCalls >= 1, key: "gateway.breakerMinimumCalls", "must be at least 1")
        problems.require(gateway.breakerHalfOpenProbes >= 1, key: "gateway.breakerHalfOpenProbes", "must be at least 1")
        if let cap = gateway.maxInFlightPerTenant, cap < 1 {
            problems.add(key: "gateway.maxInFlightPerTenant", "must be at least 1")
        }
        let servedModels = Set(deployments.flatMap { $0.models ?? [$0.name] } + [localModel.name])
        for model in gateway.pools.keys.sorted() where !servedModels.contains(model) {
            problems.add(key: "gateway.pools.\(model)", "no deployment serves this model")
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
            problems.add(key: key, "must be above 0 and at most 86400 seconds")
        }
        for (key, value) in [
            ("gateway.retryBaseDelayMs", gateway.retryBaseDelayMs), ("gateway.retryMaxDelayMs", gateway.retryMaxDelayMs),
            ("gateway.queueTimeoutMs", gateway.queueTimeoutMs),
        ] where !(0...3_600_000).contains(value) {
            problems.add(key: key, "must be 0-3600000 milliseconds")
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
                if let number, number < 1 { problems.add(key: "\(key).\(field)", "must be at least 1") }
            }
            for (field, dollars) in [("costPerDayUSD", value.costPerDayUSD), ("costPerMonthUSD", value.costPerMonthUSD)] {
                if let dollars, !(dollars > 0 && dollars < 1e9) {
                    problems.add(key: "\(key).\(field)", "must be above 0 dollars")
                }
            }
        }
        for (model, price) in prices
        where
            !(price.inputPerMillion >= 0 && price.outputPerMillion >= 0 && price.inputPerMillion < 1e6
            && price.outputPerMillion < 1e6)
        {
            problems.add(key: "prices.\(model)", "prices must be 0 or more dollars per million tokens")
        }
        validateRetrieval(into: &problems)
        validateFlows(into: &problems)
        validateEvaluation(into: &problems)
        validateMonitoring(into: &problems)
        validateSafety(into: &problems)
        validateAssurance(into: &problems)
        problems.require(limits.defaultCompletionTokens >= 1, key: "limits.defaultCompletionTokens", "must be at least 1")
        for (index, provider) in oidc.enumerated() {
            problems.require(URL(string: provider.issuer)?.scheme != nil, key: "oidc[\(index)].issuer", "must be a URL")
            problems.require(!provider.audiences.isEmpty, key: "oidc[\(index)].audiences", "must list at least one audience")
            problems.require(
                provider.tenantClaim != nil || provider.defaultTenant != nil, key: "oidc[\(index)].tenantClaim",
                "give tenantClaim or defaultTenant")
            for (claim, role) in provider.roleMap where Role(rawValue: role) == nil {
                problems.add(key: "oidc[\(index)].roleMap.\(claim)", "must map to admin or user")
            }
        }
    }
}

/// What is wrong with a configuration: every problem found, each with the key at fault.
public struct ConfigurationError: Error, CustomStringConvertible {
    public struct Problem: Sendable, Hashable {
        public let key: String
        public let problem: String
    }

    public let problems: [Problem]

    public init(key: String, _ problem: String) {
        problems = [Problem(key: key, problem: problem)]
    }

    init(problems: [Problem]) { self.problems = problems }

    /// The first problem's key (the only one's, usually).
    public var key: String { problems.first?.key ?? "" }

    public var description: String {
        guard problems.count > 1 else { return "configuration: \(key) \(problems.first?.problem ?? "")" }
        return "configuration: \(problems.count) problems\n"
            + problems.map { "  \($0.key) \($0.problem)" }.joined(separator: "\n")
    }
}

/// Collects what validation finds instead of stopping at the first, so that one start lists every mistake.
struct ConfigurationProblems {
    private var found: [ConfigurationError.Problem] = []

    mutating func add(key: String, _ problem: String) {
        found.append(ConfigurationError.Problem(key: key, problem: problem))
    }

    mutating func add(_ error: ConfigurationError) { found += error.problems }

    mutating func require(_ condition: Bool, key: String, _ problem: String) {
        if !condition { add(key: key, problem) }
    }

    /// Sorted by key: map sections (tenants, prices) have no order of their own, and a stable list diffs well.
    func throwIfAny() throws {
        guard !found.isEmpty else { return }
        throw ConfigurationError(problems: found.sorted { $0.key < $1.key })
    }
}

/// An absolute http or https URL with a host.
func isWebURL(_ text: String) -> Bool {
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return false }
    return ["http", "https"].contains(scheme) && url.host != nil
}
