import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PillarGateway

/// Turns the configured deployments (and, when it runs, the embedded local model) into providers.
struct ModelSetup {
    var members: [DeploymentPool.Member] = []
    var localModel: LocalModelSupervisor?

    init(configuration: PillarConfiguration, environment: [String: String], httpClient: HTTPClient, logger: Logger) throws {
        let timeouts = OpenAICompatibleProvider.Timeouts(
            total: .milliseconds(Int64(configuration.timeouts.totalSeconds * 1000)),
            firstToken: .milliseconds(Int64(configuration.timeouts.firstTokenSeconds * 1000)),
            idle: .milliseconds(Int64(configuration.timeouts.idleSeconds * 1000)))
        for (index, entry) in configuration.deployments.enumerated() {
            let deployment = ModelDeployment(
                name: entry.name, api: ModelDeployment.API(rawValue: entry.api) ?? .openAI, baseURL: entry.baseURL,
                upstreamModel: entry.model, apiVersion: entry.apiVersion,
                apiKey: try Self.secret(entry, index: index, environment: environment),
                servedModels: entry.models ?? [entry.name], priority: entry.priority)
            members.append(DeploymentPool.Member(
                provider: OpenAICompatibleProvider(deployment: deployment, httpClient: httpClient, timeouts: timeouts, logger: logger),
                weight: entry.weight, maxInFlight: entry.maxInFlight))
        }
        if configuration.runsLocalModel {
            let local = configuration.localModel
            let cache = environment["PILLAR_CACHE"] ?? ((environment["HOME"] ?? "/root") + "/.cache/pillar")
            let supervisorConfiguration = LocalModelSupervisor.Configuration(
                serverPath: local.serverPath ?? "\(cache)/llama.cpp-0.3.16/bin/llama-server",
                modelPath: local.modelPath ?? "\(cache)/models/SmolLM2-135M-Instruct.gguf",
                modelName: local.name,
                port: local.port == 0 ? try findFreeLoopbackPort() : local.port,
                contextSize: local.contextSize, threads: local.threads, parallel: local.parallel,
                logFile: (configuration.server.dataDirectory as NSString).appendingPathComponent("llama-server.log"))
            try LocalModelSupervisor.validate(supervisorConfiguration)
            localModel = LocalModelSupervisor(configuration: supervisorConfiguration, httpClient: httpClient, logger: logger)
            let deployment = ModelDeployment(name: "local", api: .openAI, baseURL: supervisorConfiguration.baseURL,
                                             upstreamModel: local.name, servedModels: [local.name], priority: 100,
                                             healthURL: "http://127.0.0.1:\(supervisorConfiguration.port)/health")
            members.append(DeploymentPool.Member(
                provider: OpenAICompatibleProvider(deployment: deployment, httpClient: httpClient, timeouts: timeouts, logger: logger),
                maxInFlight: local.parallel * 4))
        }
    }

    static func gatewayPolicy(_ gateway: PillarConfiguration.Gateway) -> (ModelGateway.Policy, CircuitBreaker.Policy) {
        let retry = RetryPolicy(maxAttempts: gateway.maxAttempts, baseDelay: .milliseconds(gateway.retryBaseDelayMs),
                                maxDelay: .milliseconds(gateway.retryMaxDelayMs),
                                totalTimeout: .milliseconds(Int64(gateway.retryTotalSeconds * 1000)))
        let breaker = CircuitBreaker.Policy(
            failureRateThreshold: gateway.breakerFailureRate, minimumCalls: gateway.breakerMinimumCalls,
            window: .milliseconds(Int64(gateway.breakerWindowSeconds * 1000)),
            openDuration: .milliseconds(Int64(gateway.breakerOpenSeconds * 1000)),
            halfOpenProbes: gateway.breakerHalfOpenProbes)
        return (ModelGateway.Policy(retry: retry, maxInFlightPerTenant: gateway.maxInFlightPerTenant,
                                    queueTimeout: .milliseconds(gateway.queueTimeoutMs)), breaker)
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
