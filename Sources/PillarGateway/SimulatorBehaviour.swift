import PillarCore

/// What `pillar simulate` does for one request: how fast it answers, what it says, and which fault it
/// injects. Defaults come from the command's flags; `x-sim-*` request headers override them per request.
public struct SimulatorBehaviour: Sendable, Hashable {
    public enum Fault: Sendable, Hashable {
        /// Answer with this HTTP status (and `Retry-After`, when set) instead of a completion.
        case status(Int, retryAfterSeconds: Int?)
        /// Wait this long before sending anything at all.
        case stall(Duration)
        /// Stream this many tokens, then close the connection without `[DONE]`.
        case cutAfter(tokens: Int)
        /// Stream this many tokens, then send an event that is not JSON.
        case malformedAfter(tokens: Int)
        /// Close the connection without sending a body.
        case reset
        /// Stream this many tokens, then report an error inside the stream as llama.cpp does: an `error:`
        /// line, then `data: [DONE]`.
        case streamErrorAfter(tokens: Int)
        /// Stream the tokens, then `data: [DONE]` with no finish reason ever sent.
        case endWithoutFinish
        /// Send a success head and the first bytes of the body, then wait this long before the rest.
        case stallAfterHead(Duration)
    }

    public var timeToFirstToken: Duration
    public var tokensPerSecond: Double
    /// The reply; `nil` answers as `SimulatedAnswers` says (RAG prompts are answered from their sources with
    /// a citation, anything else is echoed back prefixed with "Echo: ").
    public var reply: String?
    public var fault: Fault?
    /// The share of requests the fault hits, spread evenly (0.3: the 4th, 7th, 10th… of every ten).
    public var faultRate: Double
    /// The `type` of a `.status` fault's error body (OpenAI's `invalid_request_error`, llama.cpp's
    /// `not_supported_error`); nil: `server_error`.
    public var errorType: String?
    /// When above 0, the answer is one tool call (`lookup`) whose arguments come in this many deltas, at the
    /// token rate, instead of text.
    public var toolCallDeltas: Int
    /// The score the simulator gives when it plays a judge (see `SimulatedJudge`); nil scores by word overlap.
    public var judgeScore: Int?
    /// A share of RAG answers spoiled on purpose (see `SimulatedQuality`); nil answers as well as it can.
    public var quality: SimulatedQuality?

    public init(
        timeToFirstToken: Duration = .milliseconds(20), tokensPerSecond: Double = 200, reply: String? = nil,
        fault: Fault? = nil, faultRate: Double = 1, errorType: String? = nil, toolCallDeltas: Int = 0,
        judgeScore: Int? = nil, quality: SimulatedQuality? = nil
    ) {
        self.quality = quality
        self.judgeScore = judgeScore
        self.errorType = errorType
        self.toolCallDeltas = toolCallDeltas
        self.timeToFirstToken = timeToFirstToken
        self.tokensPerSecond = tokensPerSecond
        self.reply = reply
        self.fault = fault
        self.faultRate = min(max(faultRate, 0), 1)
    }

    /// Whether the fault hits the request numbered `index` (from 0): exactly `faultRate` of any run of requests.
    public func faultHits(requestIndex index: Int) -> Bool {
        (Double(index + 1) * faultRate).rounded(.down) > (Double(index) * faultRate).rounded(.down)
    }

    /// The per-request headers, all optional: `x-sim-ttft-ms`, `x-sim-tokens-per-second`, `x-sim-reply`,
    /// `x-sim-status` with `x-sim-retry-after` and `x-sim-error-type`, `x-sim-stall-ms`, `x-sim-cut-after`,
    /// `x-sim-malformed-after`, `x-sim-stream-error-after`, `x-sim-end-without-finish`, `x-sim-stall-after-head-ms`, `x-sim-reset`,
    /// `x-sim-fault-rate`, `x-sim-tool-call-deltas`, `x-sim-judge-score`, `x-sim-quality` (`wrong=0.3,refusing=0.1`).
    public func overridden(by header: (String) -> String?) throws(PillarError) -> SimulatorBehaviour {
        var behaviour = self
        func number(_ name: String) throws(PillarError) -> Double? {
            guard let text = header(name) else { return nil }
            guard let value = Double(text), value >= 0, value <= 1_000_000_000 else {
                throw .invalidRequest("header \(name) must be a number from 0 to 1000000000", param: name)
            }
            return value
        }
        if let rate = try number("x-sim-fault-rate") {
            guard rate <= 1 else { throw .invalidRequest("x-sim-fault-rate must be between 0 and 1") }
            behaviour.faultRate = rate
        }
        if let ms = try number("x-sim-ttft-ms") { behaviour.timeToFirstToken = .milliseconds(Int64(ms)) }
        if let tps = try number("x-sim-tokens-per-second") { behaviour.tokensPerSecond = max(tps, 0.001) }
        if let reply = header("x-sim-reply") { behaviour.reply = reply }
        if let status = try number("x-sim-status") {
            guard (100...599).contains(Int(status)) else { throw .invalidRequest("x-sim-status must be an HTTP status") }
            behaviour.fault = .status(Int(status), retryAfterSeconds: try number("x-sim-retry-after").map { Int($0) })
        }
        if let ms = try number("x-sim-stall-ms") { behaviour.fault = .stall(.milliseconds(Int64(ms))) }
        if let tokens = try number("x-sim-cut-after") { behaviour.fault = .cutAfter(tokens: Int(tokens)) }
        if let tokens = try number("x-sim-malformed-after") { behaviour.fault = .malformedAfter(tokens: Int(tokens)) }
        if let tokens = try number("x-sim-stream-error-after") { behaviour.fault = .streamErrorAfter(tokens: Int(tokens)) }
        if header("x-sim-end-without-finish") == "true" { behaviour.fault = .endWithoutFinish }
        if let ms = try number("x-sim-stall-after-head-ms") { behaviour.fault = .stallAfterHead(.milliseconds(Int64(ms))) }
        if header("x-sim-reset") == "true" { behaviour.fault = .reset }
        if let type = header("x-sim-error-type") {
            guard type.count <= 64, type.allSatisfy({ $0.isLetter || $0 == "_" }) else {
                throw .invalidRequest("x-sim-error-type must be a word of letters and underscores", param: "x-sim-error-type")
            }
            behaviour.errorType = type
        }
        if let deltas = try number("x-sim-tool-call-deltas") {
            guard deltas <= 10_000 else { throw .invalidRequest("x-sim-tool-call-deltas must be at most 10000") }
            behaviour.toolCallDeltas = Int(deltas)
        }
        if let score = try number("x-sim-judge-score") {
            guard score <= 9 else { throw .invalidRequest("x-sim-judge-score must be 0-9", param: "x-sim-judge-score") }
            behaviour.judgeScore = Int(score)
        }
        if let quality = header("x-sim-quality") {
            guard quality.count <= 200 else { throw .invalidRequest("x-sim-quality is too long", param: "x-sim-quality") }
            behaviour.quality = try SimulatedQuality(parsing: quality)
        }
        return behaviour
    }

    /// The reply split into tokens the way a tokenizer roughly would: words with their leading space. A final
    /// assistant message is a prefill, as llama.cpp takes it: the reply to the messages before it goes on
    /// from where the prefill ends.
    public func replyTokens(for request: ChatCompletionRequest) -> [String] {
        var asked = request
        var prefill = ""
        if asked.messages.count > 1, asked.messages.last?.role == "assistant" {
            prefill = asked.messages.removeLast().content?.text ?? ""
        }
        let whole =
            reply ?? SimulatedJudge.reply(
                to: asked.messages.last { $0.role == "user" }?.content?.text ?? "",
                forcedScore: judgeScore)
            ?? SimulatedAnswers.reply(to: asked, quality: quality)
        let text = whole.hasPrefix(prefill) ? String(whole.dropFirst(prefill.count)) : whole
        var tokens: [String] = []
        var current = ""
        for character in text {
            if character == " ", !current.isEmpty, current != " " {
                tokens.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { tokens.append(current) }
        if let limit = request.completionTokenLimit, tokens.count > limit { tokens = Array(tokens.prefix(limit)) }
        return tokens
    }

    public var interTokenDelay: Duration { .nanoseconds(Int64(1_000_000_000 / tokensPerSecond)) }
}
