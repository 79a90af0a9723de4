import PillarCore
import Testing

@testable import PillarGateway

@Suite struct SimulatorBehaviourTests {
    let request = ChatCompletionRequest(model: "m", messages: [ChatMessage(role: "user", content: "hello there world")])

    @Test func echoesTheLastUserMessageByDefault() {
        #expect(SimulatorBehaviour().replyTokens(for: request).joined() == "Echo: hello there world")
    }

    @Test func capsTokensAtMaxTokens() {
        var capped = request
        capped.maxTokens = 2
        #expect(SimulatorBehaviour(reply: "one two three four").replyTokens(for: capped) == ["one", " two"])
    }

    @Test func headersOverrideFlags() throws {
        let headers = ["x-sim-status": "429", "x-sim-retry-after": "3", "x-sim-reply": "hi"]
        let behaviour = try SimulatorBehaviour().overridden { headers[$0] }
        #expect(behaviour.fault == .status(429, retryAfterSeconds: 3))
        #expect(behaviour.reply == "hi")
        let cut = try SimulatorBehaviour().overridden { $0 == "x-sim-cut-after" ? "4" : nil }
        #expect(cut.fault == .cutAfter(tokens: 4))
    }

    @Test(arguments: ["x-sim-ttft-ms", "x-sim-status", "x-sim-cut-after"])
    func badHeaderValuesAreRefused(header: String) {
        #expect(throws: PillarError.self) { try SimulatorBehaviour().overridden { $0 == header ? "-1" : nil } }
    }
}
