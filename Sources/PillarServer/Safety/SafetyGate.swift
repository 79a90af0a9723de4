import Foundation
import Logging
import Metrics
import PillarCore
import PillarFlows
import PillarGateway
import PillarSafety
import Synchronization

/// Each tenant's content filter and prompt shields, applied to what users send, to what models answer (as it
/// streams) and to the passages flows retrieve. A remote classifier, when configured, replaces or adds to the
/// built-in filter for whole texts; streamed output is checked incrementally by the built-in filter.
struct SafetyGate: FlowSafety {
    let safety: PillarConfiguration.Safety
    let redaction: StorageRedaction
    let remote: RemoteContentClassifier?
    let logger: Logger

    func policy(_ tenant: String) -> PillarConfiguration.SafetyPolicy { safety.policy(for: tenant) }

    func filter(_ tenant: String) -> BuiltInContentFilter { BuiltInContentFilter(blocklist: policy(tenant).content.blocklist) }

    /// The verdict on a whole text: built-in, remote, or the worse of both per category.
    func classify(_ text: String, tenant: String) async throws -> ContentVerdict {
        guard let remote else { return filter(tenant).classifySync(text) }
        let remoteVerdict = try await remote.classify(text)
        guard remote.mode == .add else {
            // The tenant's blocklist still applies when the remote classifier replaces the built-in one.
            let local = filter(tenant).classifySync(text)
            return remoteVerdict.merged(with: local, only: [.blocklist])
        }
        return remoteVerdict.merged(with: filter(tenant).classifySync(text), only: Set(HarmCategory.allCases))
    }

    func contentFindings(_ text: String, tenant: String) async throws -> [String] {
        let thresholds = policy(tenant).content.severityThresholds
        let verdict = try await classify(text, tenant: tenant)
        return verdict.exceeds(thresholds).map { "\($0.rawValue) at \(verdict.severity($0).label)" }
    }

    func jailbreakFindings(_ text: String, tenant: String) -> [String] {
        let shields = policy(tenant).shields
        guard shields.jailbreak != .off else { return [] }
        let result = PromptShield(threshold: shields.threshold).jailbreak(in: text)
        return result.detected ? ["jailbreak attempt (\(result.signals.joined(separator: ", ")))"] : []
    }

    func personalDataFindings(_ text: String, tenant: String) -> [String] {
        let policy = policy(tenant).pii
        return Set(redaction.findings(text, policy: policy).map(\.type.rawValue)).sorted().map { "personal data: \($0)" }
    }

    func screenPassage(_ text: String, tenant: String) -> PassageScreening {
        let shields = policy(tenant).shields
        guard shields.injection != .off else { return .keep }
        let result = PromptShield(threshold: shields.threshold).injection(in: text)
        guard result.detected else { return .keep }
        let reason = "instructions aimed at the model (\(result.signals.joined(separator: ", ")))"
        Counter(
            label: "pillar_guard_events_total",
            dimensions: [("tenant", tenant), ("guard", "injection"), ("action", shields.injection.rawValue)]
        ).increment()
        switch shields.injection {
        case .drop: return .drop(reason: reason)
        case .block: return .block(reason: reason)
        case .flag, .off: return .keep
        case .fence: return .fence(reason: reason)
        }
    }

    /// What the input guards make of a request's user messages: the content filter's verdict per category (nil
    /// when the tenant does not filter input), whether a jailbreak was seen, and the refusal if one is due.
    struct InputScreening: Sendable {
        var verdict: ContentVerdict?
        var thresholds: [HarmCategory: Severity]
        var jailbreakDetected: Bool
        var refusal: PillarError?
    }

    func screenInput(_ messages: [ChatMessage], tenant: String) async throws -> InputScreening {
        let policy = policy(tenant)
        var screening = InputScreening(verdict: nil, thresholds: policy.content.severityThresholds, jailbreakDetected: false)
        let text = messages.filter { $0.role == "user" }.compactMap { $0.content?.text }.joined(separator: "\n")
        guard !text.isEmpty else { return screening }
        if policy.content.input {
            let verdict = try await classify(text, tenant: tenant)
            screening.verdict = verdict
            let exceeded = verdict.exceeds(screening.thresholds)
            if !exceeded.isEmpty {
                record(tenant: tenant, guard: "content_input")
                let found = exceeded.map { "\($0.rawValue) at \(verdict.severity($0).label)" }
                screening.refusal = PillarError.invalidRequest(
                    "The request was blocked by the content filter: \(found.joined(separator: "; ")).",
                    param: "messages", code: "content_blocked")
                return screening
            }
        }
        screening.jailbreakDetected = !jailbreakFindings(text, tenant: tenant).isEmpty
        if policy.shields.jailbreak == .block, screening.jailbreakDetected {
            record(tenant: tenant, guard: "jailbreak")
            screening.refusal = PillarError.invalidRequest(
                "The request was blocked as an attempt to override the assistant's instructions.",
                param: "messages", code: "jailbreak_detected")
        }
        return screening
    }

    /// What users send on the plain chat route: refused with a clear error when it crosses the tenant's
    /// content thresholds or is a jailbreak attempt the policy blocks.
    func checkInput(_ messages: [ChatMessage], tenant: String) async throws {
        if let refusal = try await screenInput(messages, tenant: tenant).refusal { throw refusal }
    }

    /// The built-in filter's verdict on an answer's text with the tenant's thresholds, or nil when the tenant
    /// does not filter output: what the Azure routes report as a choice's `content_filter_results`.
    func outputVerdict(_ text: String, tenant: String) -> (verdict: ContentVerdict, thresholds: [HarmCategory: Severity])? {
        let policy = policy(tenant)
        guard policy.content.output else { return nil }
        return (filter(tenant).classifySync(text), policy.content.severityThresholds)
    }

    /// An incremental check of an answer as it streams, or nil when the tenant does not filter output. It checks
    /// the first delta at once, then at sentence and clause boundaries, every 64 characters, and whenever 100 ms
    /// have passed; callers hold deltas back until they are checked (`OutputHold`), so nothing unchecked is sent,
    /// a slow stream is not delayed, and a fast one is classified per clause rather than per token.
    func outputGuard(tenant: String) -> StreamingContentGuard? {
        let policy = policy(tenant)
        guard policy.content.output else { return nil }
        return StreamingContentGuard(
            classifier: filter(tenant), thresholds: policy.content.severityThresholds,
            checkEveryDelta: false, holdCharacters: 64, checkInterval: .milliseconds(100))
    }

    func record(tenant: String, guard name: String) {
        Counter(label: "pillar_guard_events_total", dimensions: [("tenant", tenant), ("guard", name), ("action", "block")])
            .increment()
    }

    /// A 4xx, not a 5xx: a client retrying would only pay for the same answer again.
    static func blocked(_ categories: [HarmCategory]) -> PillarError {
        PillarError.invalidRequest(
            "The answer was stopped by the content filter (\(categories.map(\.rawValue).joined(separator: ", "))).",
            code: "content_blocked")
    }
}

extension ContentVerdict {
    /// Per category, the worse severity of the two verdicts (for `categories` only; the others from self).
    func merged(with other: ContentVerdict, only categories: Set<HarmCategory>) -> ContentVerdict {
        var merged = self
        for category in categories where other.severity(category) > merged.severity(category) {
            merged.severities[category] = other.severity(category)
        }
        merged.findings += other.findings.filter { categories.contains($0.category) }
        return merged
    }
}

/// Streamed pieces held back until the output guard has checked the text they carry. A block marks the call's
/// turn as stopped by the content filter and throws the filter's error.
struct OutputHold<Piece: Sendable>: Sendable {
    var guardrail: StreamingContentGuard?
    let stop: TurnStop?
    private var held: [Piece] = []
    /// The categories that stopped the answer, once it was stopped.
    private(set) var blocked: [HarmCategory]?

    init(_ guardrail: StreamingContentGuard?, stop: TurnStop?) {
        self.guardrail = guardrail
        self.stop = stop
    }

    /// The pieces that may be sent now (this one included once its text is checked).
    mutating func admit(_ piece: Piece, text: String) async throws -> [Piece] {
        guard var guardrail else { return [piece] }
        try await block(guardrail.feed(text))
        held.append(piece)
        self.guardrail = guardrail
        guard !guardrail.hasUncheckedText else { return [] }
        defer { held.removeAll() }
        return held
    }

    /// At the end: what is still held, once checked.
    mutating func finish() async throws -> [Piece] {
        guard var guardrail else { return [] }
        try await block(guardrail.finish())
        self.guardrail = guardrail
        defer { held.removeAll() }
        return held
    }

    private mutating func block(_ decision: StreamDecision) async throws {
        guard case .block(let categories, _) = decision else { return }
        blocked = categories
        await stop?.stop("content_blocked")
        throw SafetyGate.blocked(categories)
    }
}

extension TurnRecorder {
    /// A whole completion whose turn is recorded only after the answer was checked, so that a withheld answer is
    /// recorded as stopped. The categories that blocked it, or nil.
    func completeChecked(
        _ request: ChatCompletionRequest, gateway: ModelGateway, caller: ModelGateway.Caller,
        output: StreamingContentGuard?
    ) async throws -> (ChatCompletion, ModelGateway.Outcome?, blocked: [HarmCategory]?) {
        let finished = Mutex<ModelGateway.Outcome?>(nil)
        let completion: ChatCompletion
        do {
            completion = try await gateway.complete(request, caller: caller) { outcome in finished.withLock { $0 = outcome } }
        } catch {
            if let outcome = finished.withLock({ $0 }) { await record(outcome) }
            throw error
        }
        var blocked: [HarmCategory]?
        if var output {
            _ = output.feed(completion.text)
            if case .block(let categories, _) = output.finish() {
                blocked = categories
                await stop?.stop("content_blocked")
            }
        }
        let outcome = finished.withLock { $0 }
        if let outcome { await record(outcome) }
        return (completion, outcome, blocked)
    }
}
