import Foundation
import PillarCore
import Testing

@testable import PillarGateway

/// The relay's rules, without a stream or a clock.
@Suite struct RelayStateTests {
    let start = ContinuousClock.now

    func chunk(
        _ content: String? = nil, role: String? = nil, extra: [String: JSONValue] = [:], id: String = "up-1",
        usage: Usage? = nil, noChoices: Bool = false
    ) -> ChatCompletionChunk {
        ChatCompletionChunk(
            id: id, created: 0, model: "upstream-name",
            choices: noChoices
                ? [] : [.init(index: 0, delta: .init(role: role, content: content, extra: extra), finishReason: nil)],
            usage: usage)
    }

    func state(includeUsage: Bool = false) -> RelayState {
        RelayState(model: "gpt", includeUsage: includeUsage, started: start, maxContinuations: 2)
    }

    @Test func theRoleChunkWaitsForTheFirstTokenAndGoesOutWithIt() {
        var relay = state()
        #expect(relay.received(chunk("", role: "assistant"), at: start) == .nothing)
        guard case .start(let chunks) = relay.received(chunk("Hel"), at: start + .milliseconds(40)) else {
            Issue.record("the first token did not start the stream")
            return
        }
        #expect(chunks.map(\.contentDelta) == ["", "Hel"])
        #expect(chunks.allSatisfy { $0.model == "gpt" })
        #expect(relay.firstToken == .milliseconds(40))
        #expect(relay.received(chunk("lo"), at: start) == .send([chunk("lo", id: "up-1").renamed("gpt")]))
    }

    @Test func aToolCallDeltaIsAFirstTokenAndRulesOutContinuing() {
        var relay = state()
        let call: JSONValue = .array([.object(["index": .number(0), "function": .object(["arguments": .string("{")])])])
        guard case .start = relay.received(chunk(extra: ["tool_calls": call]), at: start) else {
            Issue.record("a tool-call delta was held back")
            return
        }
        #expect(!relay.onlyText)
        #expect(relay.afterFailure(continues: true, cancelled: false) == .end)
    }

    @Test func aFailureBeforeTheFirstTokenIsHandedBack() {
        var relay = state()
        _ = relay.received(chunk("", role: "assistant"), at: start)
        #expect(relay.afterFailure(continues: true, cancelled: false) == .handBack)
    }

    @Test func aTextAnswerGoesOnElsewhereUnderOneIDUpToTheLimit() {
        var relay = state()
        _ = relay.received(chunk("one "), at: start)
        #expect(relay.afterFailure(continues: true, cancelled: false) == .continueElsewhere)
        #expect(relay.afterFailure(continues: false, cancelled: false) == .end)
        #expect(relay.afterFailure(continues: true, cancelled: true) == .end)
        let attempt = relay.interruption(
            at: "a", request: ChatCompletionRequest(model: "gpt", messages: []),
            error: UpstreamError(.truncated, deployment: "a"), legStarted: start,
            now: start + .seconds(1), endedAt: Date(), tokens: .estimating)
        let marker = relay.continued(after: attempt, on: "b")
        #expect(marker.id == "up-1")
        #expect(relay.legText.isEmpty)
        guard case .send(let next) = relay.received(chunk("two", id: "up-2"), at: start) else {
            Issue.record("the continuation's chunk was not sent")
            return
        }
        #expect(next.first?.id == "up-1", "the caller sees one answer id")
        #expect(relay.answered == "one two")
        _ = relay.continued(after: attempt, on: "c")
        #expect(relay.afterFailure(continues: true, cancelled: false) == .end, "at most two continuations")
    }

    @Test func usageReachesOnlyCallersWhoAskedForIt() {
        var quiet = state()
        _ = quiet.received(chunk("hi"), at: start)
        let usage = Usage(promptTokens: 3, completionTokens: 1)
        #expect(quiet.received(chunk(usage: usage, noChoices: true), at: start) == .nothing)
        #expect(quiet.usage == usage)
        var asking = state(includeUsage: true)
        _ = asking.received(chunk("hi"), at: start)
        guard case .send(let chunks) = asking.endedCleanly(counted: usage, createdAt: 0) else {
            Issue.record("the counted usage was not sent")
            return
        }
        #expect(chunks.first?.usage == usage)
    }

    @Test func anAnswerWithNoTokenStillStartsWhenItEndsCleanly() {
        var relay = state()
        _ = relay.received(chunk("", role: "assistant"), at: start)
        guard case .start(let chunks) = relay.endedCleanly(counted: Usage(promptTokens: 1, completionTokens: 0), createdAt: 0)
        else {
            Issue.record("an empty answer never started")
            return
        }
        #expect(chunks.count == 1)
    }
}

extension ChatCompletionChunk {
    func renamed(_ model: String) -> ChatCompletionChunk {
        var chunk = self
        chunk.model = model
        return chunk
    }
}
