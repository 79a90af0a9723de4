import Foundation
import PillarCore
import Tracing

/// A stream that failed after tokens reached the caller can go on at another deployment (per pool, when
/// configured): the answer so far is sent back as an assistant message, which servers that continue a final
/// assistant message (llama.cpp, vLLM with `continue_final_message`, Ollama) extend rather than restart. The
/// interrupted attempt is metered on its own, apart from the answer.
extension ModelGateway {
    /// Asked before a stream goes on elsewhere, with what the continuation adds to the reservation: the
    /// prompt sent again with the answer so far. False ends the stream with its error instead.
    public typealias ContinuationPermit = @Sendable (_ extra: Usage) async -> Bool

    /// An attempt that streamed part of the answer and then failed, and that another deployment continued.
    public struct InterruptedAttempt: Sendable {
        public var deployment: String
        /// Estimated: the prompt it was sent and the completion tokens it delivered before failing.
        public var usage: Usage
        public var error: UpstreamError
        /// From the attempt's start (the request's, for the first) to its failure.
        public var duration: Duration
        public var endedAt: Date
    }

    /// One upstream stream the relay is reading: the first attempt's, or a continuation's.
    struct RelayLeg: Sendable {
        var upstream: ChatCompletionChunkStream
        var lease: DeploymentPool.Lease
        var span: any Span
        var rateLimits: UpstreamRateLimits?
        /// What this leg was asked (a continuation's request ends with the answer so far).
        var request: ChatCompletionRequest
        var started: ContinuousClock.Instant
    }

    /// Whether a failure after the first token may be continued on this pool at all.
    func continues(_ request: ChatCompletionRequest, after error: UpstreamError) -> Bool {
        guard policy.continuedModels.contains(request.model), (request.n ?? 1) == 1 else { return false }
        // An error that says the request itself is the problem will not go away by sending it again.
        return !error.rejectsRequest
    }

    /// The request that continues `original` after `answered` reached the caller: the answer so far as a
    /// final assistant message, and what is left of the completion limit.
    func continuationRequest(of original: ChatCompletionRequest, answered: String) -> ChatCompletionRequest? {
        var next = original
        next.messages.append(ChatMessage(role: "assistant", content: answered))
        if let limit = original.completionTokenLimit {
            let left = limit - tokens.tokens(in: answered, model: original.model)
            guard left >= 1 else { return nil }
            if next.maxCompletionTokens != nil { next.maxCompletionTokens = left } else { next.maxTokens = left }
        }
        return next
    }

    /// Starts the continuation of a failed leg at another deployment (the failed one is tried last), within
    /// the retry policy. Nil when the permit is refused or no deployment could take it; `attempts` counts
    /// every try made.
    func continueElsewhere(
        _ original: ChatCompletionRequest, answered: String, after failed: RelayLeg, caller: Caller,
        permit: ContinuationPermit?, attempts: inout Int
    ) async -> RelayLeg? {
        guard let next = continuationRequest(of: original, answered: answered) else { return nil }
        guard await permit?(Usage(promptTokens: tokens.promptTokens(next), completionTokens: 0)) ?? true else {
            return nil
        }
        var tried = 0
        defer { attempts += tried }
        return try? await serve(
            model: original.model, estimatedTokens: estimatedTokens(next), caller: caller, started: .now,
            excluding: [failed.lease.name], onFinish: { _ in },
            startSpan: { startModelSpan(next, provider: $0, caller: caller) }
        ) { lease, span, attempt in
            tried = attempt
            span.attributes["pillar.continuation"] = true
            let reply = try await lease.provider.stream(next)
            return RelayLeg(
                upstream: reply.value, lease: lease, span: span, rateLimits: reply.rateLimits, request: next,
                started: .now)
        }
    }

    /// The event that tells the caller the answer goes on at another deployment, with what the interrupted
    /// attempt used.
    static func continuationMarker(
        id: String, model: String, interrupted: InterruptedAttempt,
        continuedOn deployment: String
    ) -> ChatCompletionChunk {
        let details: [String: JSONValue] = [
            "interrupted_deployment": .string(interrupted.deployment),
            "continued_on": .string(deployment),
            "error": .string(interrupted.error.asPillarError.code),
            "interrupted_usage": (try? JSONValue(encoding: interrupted.usage)) ?? .null,
        ]
        return ChatCompletionChunk(
            id: id, created: Int(Date().timeIntervalSince1970), model: model, choices: [],
            extra: ["pillar": .object(["continuation": .object(details)])])
    }
}
