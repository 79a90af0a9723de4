import PillarCore
import Tracing

extension ModelGateway {
    /// Embeddings through the same pool, retries, breakers and tenant bulkhead as chat. The answer is checked
    /// (one vector per input, in order, all of one length) so a confused upstream is retried rather than
    /// trusted; `onFinish` is called once with how it went.
    public func embed(
        _ request: EmbeddingsRequest, caller: Caller,
        onFinish: @Sendable (Outcome) async -> Void = { _ in }
    ) async throws -> EmbeddingsResponse {
        let started = ContinuousClock.now
        try require(.embeddings, of: request.model)
        try enterTenant(caller.tenant)
        defer { leaveTenant(caller.tenant) }
        let estimated = request.input.reduce(0) { $0 + tokens.tokens(in: $1, model: request.model) }
        return try await serve(
            model: request.model, estimatedTokens: estimated, caller: caller, started: started,
            onFinish: onFinish,
            startSpan: { startEmbeddingsSpan(request, provider: $0, caller: caller) }
        ) { lease, span, attempts in
            let reply = try await lease.provider.embed(request)
            var response = reply.value
            response.data.sort { $0.index < $1.index }
            let dimensions = response.data.first?.embedding.count ?? 0
            guard response.data.count == request.input.count,
                response.data.enumerated().allSatisfy({
                    $0.offset == $0.element.index && $0.element.embedding.count == dimensions
                }),
                dimensions > 0
            else {
                throw UpstreamError(.malformed, deployment: lease.name)
            }
            response.model = request.model
            let reported = response.usage.map { $0.promptTokens > 0 } ?? false
            let usage = Usage(promptTokens: reported ? response.usage!.promptTokens : estimated, completionTokens: 0)
            response.usage = .init(promptTokens: usage.promptTokens)
            let outcome = Outcome(
                deployment: lease.name, usage: usage, timeToFirstToken: nil,
                duration: ContinuousClock.now - started, error: nil, cancelled: false,
                usageReported: reported, attempts: attempts)
            pool.release(lease, outcome: .success(reply.rateLimits), at: .now)
            finish(span, provider: lease.provider, caller: caller, outcome: outcome)
            await onFinish(outcome)
            return response
        }
    }

    func startEmbeddingsSpan(_ request: EmbeddingsRequest, provider: any ModelProvider, caller: Caller) -> any Span {
        let span = startGenAISpan(operation: "embeddings", model: request.model, provider: provider, caller: caller)
        span.attributes["pillar.embeddings.inputs"] = request.input.count
        return span
    }
}
