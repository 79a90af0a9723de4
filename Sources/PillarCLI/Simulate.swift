import ArgumentParser
import Hummingbird
import Logging
import PillarGateway
import PillarServer

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an OpenAI-compatible upstream with set latency and injected faults, for tests and load tests.",
        discussion: """
            Per-request headers override the flags: x-sim-ttft-ms, x-sim-tokens-per-second, x-sim-reply,
            x-sim-status (with x-sim-retry-after, x-sim-error-type), x-sim-stall-ms, x-sim-cut-after, x-sim-malformed-after,
            x-sim-stream-error-after, x-sim-end-without-finish, x-sim-stall-after-head-ms, x-sim-reset, x-sim-fault-rate, x-sim-tool-call-deltas.
            """)

    @Option var host = "127.0.0.1"
    @Option var port = 9000
    @Option(name: .customLong("ttft-ms"), help: "Time to first token.") var timeToFirstTokenMs = 20
    @Option(name: .customLong("tokens-per-second")) var tokensPerSecond = 200.0
    @Option(help: "The reply text; without it, RAG prompts are answered from their sources and anything else echoed.") var reply:
        String?
    @Option(name: .customLong("fail-status"), help: "Answer every chat request with this status.") var failStatus: Int?
    @Option(name: .customLong("retry-after"), help: "Retry-After seconds sent with --fail-status.") var retryAfter: Int?
    @Option(name: .customLong("stall-ms"), help: "Wait this long before answering at all.") var stallMs: Int?
    @Option(name: .customLong("cut-after"), help: "Close streams after this many tokens.") var cutAfter: Int?
    @Option(name: .customLong("malformed-after"), help: "Send a malformed event after this many tokens.") var malformedAfter: Int?
    @Option(
        name: .customLong("stream-error-after"),
        help: "Report an error inside streams (llama.cpp's error: line) after this many tokens.")
    var streamErrorAfter: Int?
    @Flag(name: .customLong("end-without-finish"), help: "End streams with [DONE] but no finish reason.") var endWithoutFinish =
        false
    @Option(name: .customLong("stall-after-head-ms"), help: "Send the head and the first bytes, then wait this long.")
    var stallAfterHeadMs: Int?
    @Option(name: .customLong("tool-call-deltas"), help: "Answer with one tool call whose arguments come in this many deltas.")
    var toolCallDeltas = 0
    @Flag(help: "Close every connection without a body.") var reset = false
    @Option(name: .customLong("fault-rate"), help: "Share of chat requests the fault hits, 0-1, spread evenly.") var faultRate =
        1.0
    @Option(name: .customLong("api-key"), help: "Require this key from callers.") var apiKey: String?
    @Option(
        name: .customLong("judge-score"),
        help: "The score judge prompts get (0-9; outside 1-5 plays a judge answering off its rubric). Unset: by word overlap.")
    var judgeScore: Int?
    @Option(help: "Spoil a share of RAG answers: wrong=0.3,ungrounded=0.1,refusing=0.05 (shares 0-1).")
    var quality: String?
    @Option(name: .customLong("embedding-dimensions")) var embeddingDimensions = 384
    @Option(help: "How texts become vectors: hashed-words (sparse, lexical) or topics (dense, clustered like a real model's).")
    var embeddings = "hashed-words"

    func validate() throws {
        guard timeToFirstTokenMs >= 0, tokensPerSecond > 0 else {
            throw ValidationError("--ttft-ms must be >= 0 and --tokens-per-second > 0")
        }
        guard (0...10_000).contains(toolCallDeltas) else { throw ValidationError("--tool-call-deltas must be 0-10000") }
        if let judgeScore, !(0...9).contains(judgeScore) { throw ValidationError("--judge-score must be 0-9") }
        if let quality {
            do { _ = try SimulatedQuality(parsing: quality) } catch { throw ValidationError("--quality: \(error.message)") }
        }
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be between 0 and 1") }
        guard (1...8192).contains(embeddingDimensions) else { throw ValidationError("--embedding-dimensions must be 1-8192") }
        guard SimulatedEmbeddings(rawValue: embeddings) != nil else {
            throw ValidationError("--embeddings must be hashed-words or topics")
        }
    }

    func run() async throws {
        var fault: SimulatorBehaviour.Fault?
        if let failStatus { fault = .status(failStatus, retryAfterSeconds: retryAfter) }
        if let stallMs { fault = .stall(.milliseconds(stallMs)) }
        if let cutAfter { fault = .cutAfter(tokens: cutAfter) }
        if let malformedAfter { fault = .malformedAfter(tokens: malformedAfter) }
        if let streamErrorAfter { fault = .streamErrorAfter(tokens: streamErrorAfter) }
        if endWithoutFinish { fault = .endWithoutFinish }
        if let stallAfterHeadMs { fault = .stallAfterHead(.milliseconds(stallAfterHeadMs)) }
        if reset { fault = .reset }
        let behaviour = SimulatorBehaviour(
            timeToFirstToken: .milliseconds(timeToFirstTokenMs),
            tokensPerSecond: tokensPerSecond, reply: reply, fault: fault, faultRate: faultRate,
            toolCallDeltas: toolCallDeltas, judgeScore: judgeScore,
            quality: try quality.map { try SimulatedQuality(parsing: $0) })
        let app = buildSimulatorApplication(
            host: host, port: port, behaviour: behaviour, apiKey: apiKey,
            embeddingDimensions: embeddingDimensions,
            embeddings: SimulatedEmbeddings(rawValue: embeddings) ?? .hashedWords,
            logger: Logger(label: "pillar.simulator"))
        try await app.runService()
    }
}
