import PillarCore

/// A streamed completion: chunks as the upstream sends them. The sequence throws `UpstreamError` when the
/// upstream fails after the response started.
public typealias ChatCompletionChunkStream = AsyncThrowingStream<ChatCompletionChunk, any Error>

/// Something that serves chat completions for one deployment. Errors thrown before a result is returned
/// happen before anything reached the caller, so the gateway may try another deployment.
public protocol ModelProvider: Sendable {
    var deployment: ModelDeployment { get }
    func complete(_ request: ChatCompletionRequest) async throws -> UpstreamReply<ChatCompletion>
    func stream(_ request: ChatCompletionRequest) async throws -> UpstreamReply<ChatCompletionChunkStream>
    func embed(_ request: EmbeddingsRequest) async throws -> UpstreamReply<EmbeddingsResponse>
    /// Whether the deployment answers at all right now (for readiness).
    func isReachable() async -> Bool
}

/// What a deployment answered, with what it said of its remaining quota.
public struct UpstreamReply<Value: Sendable>: Sendable {
    public var value: Value
    public var rateLimits: UpstreamRateLimits?

    public init(_ value: Value, rateLimits: UpstreamRateLimits?) {
        self.value = value
        self.rateLimits = rateLimits
    }
}
