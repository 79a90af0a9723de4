import PillarCore
import PillarSafety

/// Pillar's guard results in Azure OpenAI's shapes: `prompt_filter_results` for what the user sent,
/// `content_filter_results` on each choice for what the model answered, and Azure's 400 `content_filter` for a
/// blocked prompt. Categories the tenant does not check are left out rather than reported safe.
struct AzureContentFilterResults: Sendable {
    let gate: SafetyGate
    let tenant: String
    let screening: SafetyGate.InputScreening

    /// Azure's four harm categories; Pillar's blocklist is Azure's `custom_blocklists`.
    static let harmCategories: [HarmCategory] = [.hate, .selfHarm, .sexual, .violence]

    static func results(
        _ verdict: ContentVerdict, thresholds: [HarmCategory: Severity],
        forced: Set<HarmCategory> = []
    ) -> [String: JSONValue] {
        let exceeded = Set(verdict.exceeds(thresholds)).union(forced)
        var results: [String: JSONValue] = [:]
        for category in harmCategories {
            results[category.rawValue] = .object([
                "filtered": .bool(exceeded.contains(category)), "severity": .string(verdict.severity(category).label),
            ])
        }
        results["custom_blocklists"] = .object(["filtered": .bool(exceeded.contains(.blocklist)), "details": .array([])])
        return results
    }

    /// The results for the prompt: the content filter's categories and the jailbreak shield, as each is on.
    var prompt: [String: JSONValue] {
        var results = screening.verdict.map { Self.results($0, thresholds: screening.thresholds) } ?? [:]
        if gate.policy(tenant).shields.jailbreak != .off {
            results["jailbreak"] = .object([
                "filtered": .bool(screening.refusal?.code == "jailbreak_detected"),
                "detected": .bool(screening.jailbreakDetected),
            ])
        }
        return results
    }

    var promptFilterResults: JSONValue {
        .array([.object(["prompt_index": .number(0), "content_filter_results": .object(prompt)])])
    }

    /// The results for an answer's text, nil when the tenant does not filter output.
    func answer(_ text: String, blocked: [HarmCategory]? = nil) -> JSONValue? {
        guard let (verdict, thresholds) = gate.outputVerdict(text, tenant: tenant) else { return nil }
        return .object(Self.results(verdict, thresholds: thresholds, forced: Set(blocked ?? [])))
    }

    /// A prompt the guards refused, answered as Azure answers it: 400, code `content_filter`, the results inside.
    func promptBlocked(_ refusal: PillarError) -> PillarHTTPError {
        PillarHTTPError(
            PillarError.invalidRequest(refusal.message, param: "prompt", code: "content_filter"),
            details: [
                "status": .number(400),
                "innererror": .object([
                    "code": .string("ResponsibleAIPolicyViolation"), "content_filter_result": .object(prompt),
                ]),
            ])
    }

    /// Screens the user messages; a refusal is thrown in Azure's shape.
    static func screen(_ messages: [ChatMessage], gate: SafetyGate, tenant: String) async throws -> AzureContentFilterResults {
        let results = AzureContentFilterResults(
            gate: gate, tenant: tenant,
            screening: try await gate.screenInput(messages, tenant: tenant))
        if let refusal = results.screening.refusal { throw results.promptBlocked(refusal) }
        return results
    }

    /// The chunk Azure streams first: no choices, the prompt's filter results.
    func promptChunk() -> JSONValue {
        .object([
            "id": .string(""), "object": .string(""), "created": .number(0), "model": .string(""),
            "choices": .array([]), "prompt_filter_results": promptFilterResults,
        ])
    }
}
