import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PillarCore
import PillarGateway
import PillarTokenization

/// Turns the configured deployments (and, when it runs, the embedded local model) into providers.
struct ModelSetup {
    var members: [DeploymentPool.Member] = []
    /// The llama-server children to supervise: the chat model and the embedding model, when they run.
    var localModels: [LocalModelSupervisor] = []
    /// Where the tokenizers' rank files are looked for.
    var tokenizerDirectory: String

    /// `childLauncher` starts the llama-server children so that they die with this process.
    init(
        configuration: PillarConfiguration, environment: [String: String], httpClient: HTTPClient,
        childLauncher: ChildLauncher? = nil, logger: Logger
    ) throws {
        let dataDirectory = configuration.server.dataDirectory as NSString
        let timeouts = OpenAICompatibleProvider.Timeouts(
            total: .milliseconds(Int64(configuration.timeouts.totalSeconds * 1000)),
            firstToken: .milliseconds(Int64(configuration.timeouts.firstTokenSeconds * 1000)),
            firstByte: .milliseconds(Int64(configuration.timeouts.firstByteSeconds * 1000)),
            idle: .milliseconds(Int64(configuration.timeouts.idleSeconds * 1000)))
        for (index, entry) in configuration.deployments.enumerated() {
            let deployment = ModelDeployment(
                name: entry.name, api: entry.api, baseURL: entry.baseURL,
                upstreamModel: entry.model, apiVersion: entry.apiVersion,
                apiKey: try Self.secret(entry, index: index, environment: environment),
                servedModels: entry.models ?? [entry.name], priority: entry.priority, tokenizer: entry.tokenizer,
                capabilities: Set(entry.capabilities ?? ModelDeployment.Capability.allCases))
            members.append(
                DeploymentPool.Member(
                    provider: OpenAICompatibleProvider(
                        deployment: deployment, httpClient: httpClient, timeouts: timeouts, logger: logger),
                    weight: entry.weight, maxInFlight: entry.maxInFlight))
        }
        let cache = PillarCache.directory(environment: environment)
        tokenizerDirectory = configuration.gateway.tokenizerDirectory ?? PillarCache.tokenizers(environment: environment).path
        let serverPath = configuration.localModel.serverPath ?? "\(cache)/llama.cpp-0.3.16/bin/llama-server"
        if configuration.runsLocalModel {
            let local = configuration.localModel
            let supervisorConfiguration = LocalModelSupervisor.Configuration(
                serverPath: serverPath,
                modelPath: local.modelPath ?? "\(cache)/models/SmolLM2-135M-Instruct.gguf",
                modelName: local.name,
                port: local.port == 0 ? try findFreeLoopbackPort() : local.port,
                contextSize: local.contextSize, threads: local.threads, parallel: local.parallel,
                logFile: dataDirectory.appendingPathComponent("llama-server.log"),
                extraArguments: [
                    "--temp", String(local.temperature), "--top-p", String(local.topP),
                    "--n-predict", String(local.maxReplyTokens),
                ],
                launcher: childLauncher, recordFile: dataDirectory.appendingPathComponent("llama-server.pid"))
            try LocalModelSupervisor.validate(supervisorConfiguration)
            localModels.append(
                LocalModelSupervisor(configuration: supervisorConfiguration, httpClient: httpClient, logger: logger))
            let deployment = ModelDeployment(
                name: "local", api: .openAI, baseURL: supervisorConfiguration.baseURL,
                upstreamModel: local.name, servedModels: [local.name], priority: 100,
                healthURL: "http://127.0.0.1:\(supervisorConfiguration.port)/health",
                capabilities: [.chat])
            members.append(
                DeploymentPool.Member(
                    provider: OpenAICompatibleProvider(
                        deployment: deployment, httpClient: httpClient, timeouts: timeouts, logger: logger),
                    maxInFlight: local.parallel * 4))
        }
        if configuration.runsLocalEmbedder {
            let local = configuration.retrieval.localEmbedder
            let model = configuration.retrieval.embeddingModel
            // all-MiniLM-L6-v2 reads at most 512 positions. An encoder's batch is evaluated in one physical batch,
            // so -b must equal -ub; one slot is fastest on few cores (slots sharing a batch attend over each
            // other's tokens). The server L2-normalises pooled vectors itself.
            let supervisorConfiguration = LocalModelSupervisor.Configuration(
                serverPath: serverPath,
                modelPath: local.modelPath ?? "\(cache)/models/all-MiniLM-L6-v2.gguf",
                modelName: model,
                port: local.port == 0 ? try findFreeLoopbackPort() : local.port,
                contextSize: 512, threads: local.threads, parallel: 1,
                logFile: dataDirectory.appendingPathComponent("llama-server-embeddings.log"),
                extraArguments: ["--embedding", "--pooling", "mean", "--batch-size", "512", "--ubatch-size", "512"],
                launcher: childLauncher, recordFile: dataDirectory.appendingPathComponent("llama-server-embeddings.pid"))
            do {
                try LocalModelSupervisor.validate(supervisorConfiguration)
            } catch  where local.mode == .auto {
                // A set-up with remote models only and no llama.cpp on the machine still starts; searches that
                // need vectors then say the embedding model is missing.
                logger.warning("embedded embedding model not started", metadata: ["reason": "\(error)"])
                return
            }
            localModels.append(
                LocalModelSupervisor(configuration: supervisorConfiguration, httpClient: httpClient, logger: logger))
            let deployment = ModelDeployment(
                name: "local-embeddings", api: .openAI, baseURL: supervisorConfiguration.baseURL,
                upstreamModel: model, servedModels: [model], priority: 100,
                healthURL: "http://127.0.0.1:\(supervisorConfiguration.port)/health",
                capabilities: [.embeddings])
            members.append(
                DeploymentPool.Member(
                    provider: OpenAICompatibleProvider(
                        deployment: deployment, httpClient: httpClient, timeouts: timeouts, logger: logger),
                    maxInFlight: 8))
        }
    }

    /// The HTTP client every upstream call goes through, with the configured connect timeout and pool size.
    static func httpClient(for configuration: PillarConfiguration) -> HTTPClient {
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout.connect = .milliseconds(Int64(configuration.timeouts.connectSeconds * 1000))
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.gateway.connectionsPerHost
        // A refused connection must fail the attempt at once, so the gateway moves to another deployment; by
        // default AsyncHTTPClient keeps trying to connect until the connect timeout.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    }

    /// The gateway over these providers, with the configured retries, breakers and bulkheads.
    func gateway(_ configuration: PillarConfiguration, logger: Logger) -> ModelGateway {
        let (gatewayPolicy, breakerPolicy) = Self.gatewayPolicy(configuration.gateway)
        // A model name served by deployments of one known encoding is counted with it.
        var families: [String: Set<TokenizerFamily>] = [:]
        for member in members {
            for model in member.provider.deployment.servedModels {
                families[model, default: []].insert(TokenCounter.family(of: member.provider.deployment) ?? .cl100k)
            }
        }
        let tokens = TokenCounter(
            directory: URL(fileURLWithPath: tokenizerDirectory),
            families: families.compactMapValues { $0.count == 1 ? $0.first : nil })
        if !tokens.isExact(for: members.first?.provider.deployment.servedModels.first ?? "gpt-4o") {
            logger.warning(
                "no tokenizer rank files; prompt tokens are estimated at about four characters a token",
                metadata: ["directory": "\(tokenizerDirectory)"])
        }
        return ModelGateway(
            pool: DeploymentPool(members: members, breakerPolicy: breakerPolicy), policy: gatewayPolicy,
            tokens: tokens, logger: logger)
    }

    static func gatewayPolicy(_ gateway: PillarConfiguration.Gateway) -> (ModelGateway.Policy, CircuitBreaker.Policy) {
        let retry = RetryPolicy(
            maxAttempts: gateway.maxAttempts, baseDelay: .milliseconds(gateway.retryBaseDelayMs),
            maxDelay: .milliseconds(gateway.retryMaxDelayMs),
            totalTimeout: .milliseconds(Int64(gateway.retryTotalSeconds * 1000)))
        let breaker = CircuitBreaker.Policy(
            failureRateThreshold: gateway.breakerFailureRate, minimumCalls: gateway.breakerMinimumCalls,
            window: .milliseconds(Int64(gateway.breakerWindowSeconds * 1000)),
            openDuration: .milliseconds(Int64(gateway.breakerOpenSeconds * 1000)),
            halfOpenProbes: gateway.breakerHalfOpenProbes)
        return (
            ModelGateway.Policy(
                retry: retry, maxInFlightPerTenant: gateway.maxInFlightPerTenant,
                queueTimeout: .milliseconds(gateway.queueTimeoutMs),
                continuedModels: Set(gateway.pools.filter(\.value.continueInterruptedStreams).keys)),
            breaker
        )
    }

    static func secret(_ entry: PillarConfiguration.Deployment, index: Int, environment: [String: String]) throws -> String? {
        if let name = entry.apiKeyEnv {
            guard let value = environment[name], !value.isEmpty else {
                throw ConfigurationError(key: "deployments[\(index)].apiKeyEnv", "names \(name), which is not set")
            }
            return value
        }
        if let path = entry.apiKeyFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(key: "deployments[\(index)].apiKeyFile", "cannot be read")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }
}
