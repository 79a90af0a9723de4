import PillarCore
import PillarEval
import PillarMonitoring

/// Turns a user's flow answer into what production monitoring reads, and drops it into the intake without
/// waiting: the serving path pays for building one small value and a lock.
struct QualityReporter: Sendable {
    let intake: QualityIntake
    let prices: [String: ModelPrice]

    static let questionCharacters = 4_000
    static let answerCharacters = 8_000
    static let contextCharacters = 16_000

    /// Error codes that mean a guard refused, which count as refusals rather than errors.
    static let refusalCodes: Set<String> = [
        "guard_blocked", "content_blocked", "jailbreak_detected", "pii_blocked", "prompt_injection_detected",
    ]

    func report(trace: FlowTrace, question: String, answer: String, sources: [Citation], ttftMs: Double?) {
        let refused = trace.errorCode.map(Self.refusalCodes.contains) ?? false
        let failed = trace.status == .failed && !refused
        var cost: Double?
        for node in trace.nodes {
            guard let model = node.model, let usage = node.usage, let price = prices[model] else { continue }
            cost = (cost ?? 0) + price.cost(of: usage)
        }
        let sample = QualitySample(
            traceID: trace.id, tenant: trace.tenant, subject: trace.subject, createdAt: trace.createdAt,
            flow: trace.flow.name, flowVersion: trace.flow.version, label: trace.flow.label, prompts: trace.prompts,
            model: trace.nodes.last { $0.kind == "llm" && $0.status == .succeeded }?.model,
            failed: failed, refused: refused,
            abstained: !failed && !refused && AbstentionDetector.abstains(answer: answer, status: .answered),
            latencyMs: trace.durationMs, ttftMs: ttftMs, costUSD: cost,
            coverage: trace.retrieved.compactMap(\.vectorScore).max())
        // Bounded, so that a full intake holds at most a few tens of kilobytes an answer.
        intake.submit(
            QualityObservation(
                sample: sample, question: String(question.prefix(Self.questionCharacters)),
                answer: String(answer.prefix(Self.answerCharacters)),
                context: String(
                    sources.map { "[\($0.marker)] \($0.title ?? "")\n\($0.text)" }.joined(separator: "\n\n")
                        .prefix(Self.contextCharacters))))
    }
}
