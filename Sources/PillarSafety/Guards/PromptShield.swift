import Foundation

/// Heuristic prompt shields: direct jailbreaks in user messages and indirect injection in documents.
/// Signals are weighted and combined (1 - Π(1 - w)); neutral third-person discussion lowers the score.
public struct PromptShield: Sendable {
    public let threshold: Double

    public init(threshold: Double = 0.5) {
        self.threshold = threshold
    }

    /// Direct jailbreak attempts in the user's own message.
    public func jailbreak(in userText: String) -> ShieldResult {
        let folded = FoldedText(userText).folded
        let leet = ShieldText.deLeet(folded)
        var signals = SignalSet()
        signals.run(JailbreakRules.rules, on: [folded])
        if leet != folded {
            var leetSignals = SignalSet()
            leetSignals.run(JailbreakRules.rules, on: [leet])
            for (name, w) in leetSignals.weights where signals.weights[name] == nil {
                signals.add(name, w)
                signals.add("encoding.leetspeak", 0.3)
            }
        }
        for decoded in ShieldText.decodedBase64(userText) {
            var inner = SignalSet()
            inner.run(JailbreakRules.override + JailbreakRules.extraction, on: [decoded])
            if !inner.isEmpty { signals.add("encoding.base64_payload", 0.8) }
        }
        // A fictional or hypothetical wrapper only matters when it wraps a dangerous request.
        if signals.has(prefix: "wrapper."), signals.weights["request.dangerous"] != nil {
            signals.add("wrapper.harmful_request", 0.3)
        }
        let damping = Self.damping(meta: JailbreakRules.meta, text: folded, signals: signals)
        return signals.result(threshold: threshold, damping: damping)
    }

    /// Indirect prompt injection inside retrieved documents or tool output.
    public func injection(in document: String) -> ShieldResult {
        let folded = FoldedText(document).folded
        var signals = SignalSet()
        signals.run(InjectionRules.rules, on: [folded])
        if document.unicodeScalars.contains(where: { Self.zeroWidth.contains($0.value) }) {
            // Zero-width characters are removed by folding; a hidden span only matters if it carries instructions.
            signals.add("hidden.zero_width", signals.isEmpty ? 0.2 : 0.35)
        }
        for decoded in ShieldText.decodedBase64(document) {
            var inner = SignalSet()
            inner.run(JailbreakRules.override, on: [decoded])
            if !inner.isEmpty { signals.add("encoding.base64_payload", 0.7) }
        }
        let damping = Self.damping(meta: InjectionRules.meta, text: folded, signals: signals)
        return signals.result(threshold: threshold, damping: damping)
    }

    static let zeroWidth: Set<UInt32> = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E]

    /// Third-person discussion ("prompt injection is an attack where…") halves the score unless the text
    /// also addresses the model directly.
    static func damping(meta: GuardPattern, text: String, signals: SignalSet) -> Double {
        guard !signals.isEmpty else { return 1 }
        let prose = ShieldText.withoutURLs(text)
        guard meta.test(prose) else { return 1 }
        if signals.has(prefix: "address.") || signals.has(prefix: "exfil.") || signals.has(prefix: "hidden.") { return 0.85 }
        // Persona switches, refusal suppression and authority claims are addressed to the model, not quoted.
        if signals.has(prefix: "persona.") || signals.has(prefix: "refusal.") || signals.has(prefix: "authority.")
            || signals.has(prefix: "encoding.")
        {
            return 1
        }
        return 0.5
    }
}
