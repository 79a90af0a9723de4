import Crypto
import Foundation
import PillarCore
import PillarRetrieval
import PillarSafety
import PillarStore

/// Personal data out of what Pillar keeps, and (when a tenant asks) out of what it sends to models and
/// indexes, by each tenant's PII policy. Pseudonyms are keyed per tenant from the master key.
struct StorageRedaction: Sendable {
    let safety: PillarConfiguration.Safety
    let cipher: FieldCipher

    func detector(_ policy: PillarConfiguration.PIIPolicy) -> PIIDetector {
        PIIDetector(recognizers: PIIDetector.standard.recognizers, minimumConfidence: policy.minimumConfidence)
    }

    func findings(_ text: String, policy: PillarConfiguration.PIIPolicy) -> [PIIFinding] {
        detector(policy).findings(in: text, types: Set(policy.types ?? PIIType.allCases))
    }

    /// The text as the policy says to keep it. `block` keeps it redacted: blocking is for requests, not records.
    func apply(_ text: String, tenant: String, policy: PillarConfiguration.PIIPolicy) -> String {
        let found = findings(text, policy: policy)
        guard !found.isEmpty else { return text }
        let action: PIIAction = policy.action == .block ? .redact : policy.action
        let key = action == .pseudonymize ? cipher.derivedKey(purpose: "pii-pseudonym", tenant: tenant) : nil
        return PIIRedactor(action: action, pseudonymKey: key).apply(to: text, findings: found)
    }

    /// What is about to be stored.
    func clean(_ text: String, tenant: String) -> String {
        let policy = safety.policy(for: tenant).pii
        return policy.beforeStorage ? apply(text, tenant: tenant, policy: policy) : text
    }

    /// What to replace in a document's text before it is chunked and indexed, when the tenant's policy covers
    /// documents (by Unicode scalar offsets, so sections keep their places).
    func documentReplacements(_ text: String, tenant: String) -> [TextReplacement] {
        let policy = safety.policy(for: tenant).pii
        guard policy.documents else { return [] }
        let found = findings(text, policy: policy)
        guard !found.isEmpty else { return [] }
        let action: PIIAction = policy.action == .block ? .redact : policy.action
        let redactor = PIIRedactor(action: action,
                                   pseudonymKey: action == .pseudonymize ? cipher.derivedKey(purpose: "pii-pseudonym", tenant: tenant) : nil)
        let scalars = text.unicodeScalars
        return found.map { finding in
            let lower = scalars.distance(from: scalars.startIndex, to: finding.range.lowerBound.samePosition(in: scalars) ?? scalars.startIndex)
            let upper = scalars.distance(from: scalars.startIndex, to: finding.range.upperBound.samePosition(in: scalars) ?? scalars.endIndex)
            let piece = String(text[finding.range])
            let replaced = redactor.apply(to: piece, findings: [PIIFinding(type: finding.type, range: piece.startIndex..<piece.endIndex,
                                                                           confidence: finding.confidence, recognizer: finding.recognizer)])
            return TextReplacement(range: lower..<upper, replacement: replaced)
        }
    }

    /// Messages about to leave for a model: unchanged, cleaned, or refused, as the policy says.
    func prepareForModel(_ messages: [ChatMessage], tenant: String) throws(PillarError) -> [ChatMessage] {
        let policy = safety.policy(for: tenant).pii
        guard policy.beforeModel else { return messages }
        var prepared = messages
        for index in prepared.indices {
            guard case .text(let text)? = prepared[index].content else { continue }
            if policy.action == .block {
                let kinds = Set(findings(text, policy: policy).map(\.type.rawValue)).sorted()
                if !kinds.isEmpty {
                    throw PillarError.invalidRequest("The request holds personal data (\(kinds.joined(separator: ", "))), which this tenant's policy does not let reach a model.",
                                                     param: "messages[\(index)]", code: "pii_blocked")
                }
            } else {
                prepared[index].content = .text(apply(text, tenant: tenant, policy: policy))
            }
        }
        return prepared
    }
}
