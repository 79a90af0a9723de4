import Foundation
import PillarCore

/// What the relay knows of one streamed answer across its legs, as a value: which chunks go to the caller
/// now and which wait for the first token, what the answer and the current leg produced, and what to do when
/// a leg fails. The relay's task only performs what it says (yield, hand back, continue, end), so these rules
/// have tests of their own; time comes in as arguments.
struct RelayState: Sendable {
    enum Delivery: Sendable, Equatable {
        /// Nothing for the caller now: a chunk held until the first token, or a usage chunk they did not ask for.
        case nothing
        case send([ChatCompletionChunk])
        /// The first piece of answer: these go out, and the stream is committed to its deployment.
        case start([ChatCompletionChunk])
    }

    enum AfterFailure: Sendable, Equatable {
        /// Nothing reached the caller: the failure goes back to the retry loop, which may try elsewhere.
        case handBack
        /// Part of a text answer reached the caller and the pool continues streams: go on at another deployment.
        case continueElsewhere
        /// End the caller's stream with the error.
        case end
    }

    let model: String
    let includeUsage: Bool
    let started: ContinuousClock.Instant
    /// How many times one answer may go on elsewhere.
    let maxContinuations: Int
    private(set) var firstToken: Duration?
    /// The upstream's own count for the current leg, when it sent one.
    private(set) var usage: Usage?
    /// The whole answer the caller was sent, and the part of it the current leg produced.
    private(set) var answered = ""
    private(set) var legText = ""
    /// The current leg's tool calls as text (names and arguments): counted with its text when the upstream sends
    /// no usage, never sent back as a prefill.
    private(set) var legToolText = ""
    /// Whether every delta so far was plain text (a tool call cannot be sent back as a prefill).
    private(set) var onlyText = true
    private(set) var answerID: String?
    private(set) var interrupted: [ModelGateway.InterruptedAttempt] = []
    private var held: [ChatCompletionChunk] = []

    init(model: String, includeUsage: Bool, started: ContinuousClock.Instant, maxContinuations: Int) {
        self.model = model
        self.includeUsage = includeUsage
        self.started = started
        self.maxContinuations = maxContinuations
    }

    var hasStarted: Bool { firstToken != nil }

    /// What the current leg produced, text and tool calls, as Pillar counts it when the upstream does not.
    var legOutput: String { legText + legToolText }

    /// A chunk from the current leg: renamed to the model asked for, under the answer's one id.
    mutating func received(_ incoming: ChatCompletionChunk, at now: ContinuousClock.Instant) -> Delivery {
        var chunk = incoming
        chunk.model = model
        // A continuation's chunks carry its own id; the caller sees one answer.
        if let answerID { chunk.id = answerID } else { answerID = chunk.id }
        if chunk.choices.contains(where: ModelGateway.callsATool) { onlyText = false }
        answered += chunk.contentDelta
        legText += chunk.contentDelta
        legToolText += chunk.toolCallDelta
        if let reported = chunk.usage {
            usage = reported
            if !includeUsage {
                chunk.usage = nil
                if chunk.choices.isEmpty { return .nothing }
            }
        }
        guard firstToken == nil else { return .send([chunk]) }
        // Any part of the answer counts as the first token, a tool call's as well as text's.
        guard chunk.carriesOutput else {
            held.append(chunk)
            return .nothing
        }
        firstToken = now - started
        defer { held.removeAll() }
        return .start(held + [chunk])
    }

    /// What to do when the current leg fails; `continues`: the pool continues streams and the error allows it.
    func afterFailure(continues: Bool, cancelled: Bool) -> AfterFailure {
        guard hasStarted else { return .handBack }
        return onlyText && !cancelled && interrupted.count < maxContinuations && continues ? .continueElsewhere : .end
    }

    /// The current leg, given up at `deployment` after `error`, as an interrupted attempt: the prompt it was
    /// sent and the completion it delivered, counted by `tokens`.
    func interruption(
        at deployment: String, request: ChatCompletionRequest, error: UpstreamError,
        legStarted: ContinuousClock.Instant, now: ContinuousClock.Instant, endedAt: Date,
        tokens: TokenCounter
    ) -> ModelGateway.InterruptedAttempt {
        ModelGateway.InterruptedAttempt(
            deployment: deployment,
            usage: legOutput.isEmpty
                ? Usage(promptTokens: 0, completionTokens: 0) : tokens.usage(request: request, completion: legOutput),
            error: error, duration: now - legStarted, endedAt: endedAt)
    }

    /// The answer goes on at `deployment`: the marker chunk that tells the caller, and a fresh leg.
    mutating func continued(after attempt: ModelGateway.InterruptedAttempt, on deployment: String) -> ChatCompletionChunk {
        interrupted.append(attempt)
        legText = ""
        legToolText = ""
        usage = nil
        return ModelGateway.continuationMarker(id: answerID ?? "", model: model, interrupted: attempt, continuedOn: deployment)
    }

    /// The last leg ended without error: what still goes to the caller, and whether it starts the stream (an
    /// answer that never produced a token, such as an empty one, is sent as it came). `counted`: the usage
    /// Pillar counted, sent as the usage chunk the caller asked for when the upstream sent none.
    mutating func endedCleanly(counted: Usage, createdAt: Int) -> Delivery {
        var out = held
        held.removeAll()
        if includeUsage, usage == nil {
            out.append(
                ChatCompletionChunk(
                    id: answerID ?? "chatcmpl-usage", created: createdAt, model: model, choices: [],
                    usage: counted))
        }
        if hasStarted { return out.isEmpty ? .nothing : .send(out) }
        return .start(out)
    }
}
