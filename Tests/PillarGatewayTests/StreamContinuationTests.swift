import Foundation
import Logging
import PillarCore
import Testing

@testable import PillarGateway

/// The rules of continuing an interrupted stream elsewhere; the whole path runs against simulators in
/// ChaosTests.
@Suite struct StreamContinuationTests {
    static func gateway(continuing models: Set<String>) -> ModelGateway {
        ModelGateway(pool: DeploymentPool(members: []), policy: .init(continuedModels: models), logger: Logger(label: "test"))
    }

    static func request(_ json: String) throws -> ChatCompletionRequest {
        try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(json.utf8))
    }

    @Test func theAnswerSoFarBecomesAPrefillAndTheLimitShrinks() throws {
        let gateway = Self.gateway(continuing: ["gpt"])
        let original = try Self.request(#"{"model": "gpt", "max_tokens": 50, "messages": [{"role": "user", "content": "go"}]}"#)
        let next = try #require(gateway.continuationRequest(of: original, answered: "The answer so far"))
        #expect(next.messages.count == 2)
        #expect(next.messages.last?.role == "assistant")
        #expect(next.messages.last?.content?.text == "The answer so far")
        #expect(next.maxTokens == 50 - gateway.tokens.tokens(in: "The answer so far", model: "gpt"))
        let spent = try Self.request(
            #"{"model": "gpt", "max_completion_tokens": 3, "messages": [{"role": "user", "content": "go"}]}"#)
        #expect(
            gateway.continuationRequest(of: spent, answered: "one two three four five six seven eight") == nil,
            "nothing is left of the limit")
    }

    @Test func onlyConfiguredPoolsSingleChoicesAndUpstreamFaultsContinue() throws {
        let gateway = Self.gateway(continuing: ["gpt"])
        let plain = try Self.request(#"{"model": "gpt", "messages": [{"role": "user", "content": "go"}]}"#)
        let cut = UpstreamError(.truncated, deployment: "a")
        #expect(gateway.continues(plain, after: cut))
        #expect(gateway.continues(plain, after: UpstreamError(.status, deployment: "a", status: 503)))
        #expect(gateway.continues(plain, after: UpstreamError(.status, deployment: "a", status: 429)))
        #expect(!gateway.continues(plain, after: UpstreamError(.status, deployment: "a", status: 400)), "the request is at fault")
        let other = try Self.request(#"{"model": "other", "messages": [{"role": "user", "content": "go"}]}"#)
        #expect(!gateway.continues(other, after: cut), "the pool does not continue streams")
        let several = try Self.request(#"{"model": "gpt", "n": 2, "messages": [{"role": "user", "content": "go"}]}"#)
        #expect(!gateway.continues(several, after: cut))
    }

    @Test func nullPlaceholdersAreNotToolCalls() throws {
        func choice(_ json: String) throws -> ChatCompletionChunk.Choice {
            try JSONDecoder().decode(ChatCompletionChunk.Choice.self, from: Data(json.utf8))
        }
        #expect(
            !ModelGateway.callsATool(
                try choice(#"{"index": 0, "delta": {"content": "hi", "refusal": null, "tool_calls": null}}"#)))
        #expect(ModelGateway.callsATool(try choice(#"{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1"}]}}"#)))
        #expect(ModelGateway.callsATool(try choice(#"{"index": 0, "delta": {"function_call": {"name": "f"}}}"#)))
    }
}
