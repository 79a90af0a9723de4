import Metrics
import PillarCore
import Tracing

/// Spans follow OpenTelemetry's GenAI semantic conventions; metrics carry tenant and deployment so that
/// usage can be charged back and a failing deployment spotted.
extension ModelGateway {
    /// A client span named and attributed as the GenAI conventions ask: `<operation> <model>`.
    func startGenAISpan(operation: String, model: String, provider: any ModelProvider, caller: Caller) -> any Span {
        let span = InstrumentationSystem.tracer.startAnySpan("\(operation) \(model)", ofKind: .client)
        span.attributes["gen_ai.operation.name"] = operation
        span.attributes["gen_ai.provider.name"] = provider.deployment.providerName
        span.attributes["gen_ai.system"] = provider.deployment.providerName
        span.attributes["gen_ai.request.model"] = provider.deployment.upstreamModel
        span.attributes["pillar.deployment"] = provider.deployment.name
        span.attributes["pillar.tenant"] = caller.tenant
        return span
    }

    func startModelSpan(_ request: ChatCompletionRequest, provider: any ModelProvider, caller: Caller) -> any Span {
        let span = startGenAISpan(operation: "chat", model: request.model, provider: provider, caller: caller)
        if let limit = request.completionTokenLimit { span.attributes["gen_ai.request.max_tokens"] = limit }
        if let temperature = request.temperature { span.attributes["gen_ai.request.temperature"] = temperature }
        if let topP = request.topP { span.attributes["gen_ai.request.top_p"] = topP }
        return span
    }

    func finish(
        _ span: any Span, provider: any ModelProvider, caller: Caller,
        outcome: Outcome
    ) {
        let deployment = provider.deployment.name
        span.attributes["gen_ai.response.model"] = provider.deployment.upstreamModel
        if let usage = outcome.usage {
            span.attributes["gen_ai.usage.input_tokens"] = usage.promptTokens
            span.attributes["gen_ai.usage.output_tokens"] = usage.completionTokens
            Counter(
                label: "pillar_gen_ai_tokens_total",
                dimensions: [("tenant", caller.tenant), ("deployment", deployment), ("type", "input")]
            )
            .increment(by: usage.promptTokens)
            Counter(
                label: "pillar_gen_ai_tokens_total",
                dimensions: [("tenant", caller.tenant), ("deployment", deployment), ("type", "output")]
            )
            .increment(by: usage.completionTokens)
        }
        let result: String
        if outcome.cancelled {
            result = "cancelled"
        } else if let error = outcome.error {
            result = "error"
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            span.attributes["error.type"] = (error as? PillarError)?.code ?? "\(type(of: error))"
        } else {
            result = "ok"
        }
        Counter(
            label: "pillar_gen_ai_calls_total",
            dimensions: [("tenant", caller.tenant), ("deployment", deployment), ("result", result)]
        ).increment()
        Timer(label: "pillar_gen_ai_call_duration_seconds", dimensions: [("deployment", deployment)])
            .recordNanoseconds(outcome.duration.nanoseconds)
        if let firstToken = outcome.timeToFirstToken {
            Timer(label: "pillar_gen_ai_time_to_first_token_seconds", dimensions: [("deployment", deployment)])
                .recordNanoseconds(firstToken.nanoseconds)
        }
        span.end()
    }

    func recordFailedAttempt(_ span: any Span, error: UpstreamError, provider: any ModelProvider, caller: Caller) {
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error))
        span.attributes["error.type"] = error.shortDescription
        Counter(
            label: "pillar_gen_ai_calls_total",
            dimensions: [
                ("tenant", caller.tenant), ("deployment", provider.deployment.name),
                ("result", error.shortDescription),
            ]
        ).increment()
        span.end()
    }
}
