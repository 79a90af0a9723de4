import Foundation
import Hummingbird
import PillarCore

/// Azure OpenAI's data-plane routes, so that an application written for Azure OpenAI (the `openai` package's
/// `AzureOpenAI`, LangChain's `AzureChatOpenAI`, the Azure SDKs) points at Pillar and keeps working:
/// `/openai/deployments/{deployment}/chat/completions|embeddings?api-version=…` and the newer clients'
/// version-less `/openai/v1/…`. They run exactly what the OpenAI-compatible routes run (budgets, guards, turns,
/// traces), answering in Azure's shapes: filter results from Pillar's own guards and a blocked prompt as a 400
/// `content_filter`. A deployment name is a Pillar model (or `pillar:FLOW`), through `azure.deployments`.
struct AzureOpenAIController: Sendable {
    let chat: ChatCompletionsController
    let embeddings: EmbeddingsController
    let deployments: [String: String]

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("deployments/:deployment/chat/completions", use: deploymentChat)
        group.post("deployments/:deployment/embeddings", use: deploymentEmbeddings)
        group.post("v1/chat/completions", use: v1Chat)
        group.post("v1/embeddings", use: v1Embeddings)
        group.get("v1/models", use: v1Models)
    }

    /// The Pillar model a deployment name stands for: the one configured, else the same name.
    func model(for deployment: String) -> String { deployments[deployment] ?? deployment }

    @Sendable func deploymentChat(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        var body = try await deploymentBody(ChatCompletionRequest.self, request, context: context, reader: chat.bodyReader)
        body.value.model = body.model
        return try await chat.respond(body.value, request: request, context: context, azure: true)
    }

    @Sendable func deploymentEmbeddings(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        var body = try await deploymentBody(EmbeddingsRequest.self, request, context: context, reader: embeddings.bodyReader)
        body.value.model = body.model
        return try await embeddings.respond(body.value, context: context)
    }

    /// A deployment route's body and the model its path names. As on Azure, the path's deployment decides; a
    /// `model` in the body is ignored.
    private func deploymentBody<Body: Decodable>(
        _ type: Body.Type, _ request: Request, context: AuthenticatedContext,
        reader: RequestBodyReader
    ) async throws -> (value: Body, model: String) {
        try AzureAPIVersion.checkDated(request)
        let deployment = try context.parameters.require("deployment")
        let body = try await reader.decode(Body.self, from: request, userInfo: [.modelFromPath: deployment])
        return (body, model(for: deployment))
    }

    @Sendable func v1Chat(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try AzureAPIVersion.checkV1(request)
        var body = try await chat.bodyReader.decode(ChatCompletionRequest.self, from: request)
        body.model = model(for: body.model)
        return try await chat.respond(body, request: request, context: context, azure: true)
    }

    @Sendable func v1Embeddings(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try AzureAPIVersion.checkV1(request)
        var body = try await embeddings.bodyReader.decode(EmbeddingsRequest.self, from: request)
        body.model = model(for: body.model)
        return try await embeddings.respond(body, context: context)
    }

    @Sendable func v1Models(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try AzureAPIVersion.checkV1(request)
        return try await chat.models(request, context: context)
    }
}

/// The `api-version` values Azure OpenAI's inference API has published, which current clients send. The
/// deployment routes need one; the `/openai/v1/` routes take none (or `preview`, `latest`).
enum AzureAPIVersion {
    static let dated: [String] = [
        "2022-12-01", "2023-05-15", "2024-02-01", "2024-06-01", "2024-10-21",
        "2023-06-01-preview", "2023-07-01-preview", "2023-08-01-preview", "2023-09-01-preview", "2023-10-01-preview",
        "2023-12-01-preview", "2024-02-15-preview", "2024-03-01-preview", "2024-04-01-preview", "2024-05-01-preview",
        "2024-07-01-preview", "2024-08-01-preview", "2024-09-01-preview", "2024-10-01-preview", "2024-12-01-preview",
        "2025-01-01-preview", "2025-02-01-preview", "2025-03-01-preview", "2025-04-01-preview",
    ]
    static let v1: [String] = ["v1", "preview", "latest"]

    static func checkDated(_ request: Request) throws {
        guard let version = request.uri.queryParameters["api-version"].map(String.init), !version.isEmpty else {
            throw PillarError.invalidRequest(
                "The query parameter 'api-version' is required on Azure OpenAI's deployment routes (for example 2024-10-21).",
                param: "api-version", code: "missing_api_version")
        }
        guard dated.contains(version) else { throw unsupported(version, accepted: dated) }
    }

    static func checkV1(_ request: Request) throws {
        guard let version = request.uri.queryParameters["api-version"].map(String.init) else { return }
        guard v1.contains(version) else { throw unsupported(version, accepted: v1) }
    }

    private static func unsupported(_ version: String, accepted: [String]) -> PillarError {
        let shown = version.count > 40 ? String(version.prefix(40)) + "…" : version
        return PillarError.invalidRequest(
            "The api-version '\(shown)' is not supported here; use one of: \(accepted.joined(separator: ", ")).",
            param: "api-version", code: "unsupported_api_version")
    }
}
