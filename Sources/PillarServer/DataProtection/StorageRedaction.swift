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

    /// The redactor the policy asks for. `block` redacts: blocking is for requests, not for what is kept.
    func redactor(_ policy: PillarConfiguration.PIIPolicy, tenant: String) -> PIIRedactor {
        let action: PIIAction = policy.action == .block ? .redact : policy.action
        return PIIRedactor(
            action: action,
            pseudonymKey: action == .pseudonymize ? cipher.derivedKey(purpose: "pii-pseudonym", tenant: tenant) : nil)
    }

    /// The text as the policy says to keep it.
    func apply(_ text: String, tenant: String, policy: PillarConfiguration.PIIPolicy) -> String {
        let found = findings(text, policy: policy)
        guard !found.isEmpty else { return text }
        return redactor(policy, tenant: tenant).apply(to: text, findings: found)
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
        let redactor = redactor(policy, tenant: tenant)
        // Findings come sorted and apart: offsets are counted onward from the last one, not from the start.
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        var offset = 0
        func advance(to target: String.Index) -> Int {
            let position = target.samePosition(in: scalars) ?? scalars.endIndex
            offset += scalars.distance(from: index, to: position)
            index = position
            return offset
        }
        return found.map { finding in
            let lower = advance(to: finding.range.lowerBound)
            let upper = advance(to: finding.range.upperBound)
            return TextReplacement(
                range: lower..<upper, replacement: redactor.replacement(for: text[finding.range], type: finding.type))
        }
    }

    /// Messages about to leave for a model: unchanged, cleaned, or refused, as the policy says. Text parts of
    /// multi-part contents are handled one by one.
    func prepareForModel(_ messages: [ChatMessage], tenant: String) throws(PillarError) -> [ChatMessage] {
        let policy = safety.policy(for: tenant).pii
        guard policy.beforeModel else { return messages }
        var prepared = messages
        for index in prepared.indices {
            switch prepared[index].content {
            case .text(let text)?:
                prepared[index].content = .text(try prepare(text, tenant: tenant, policy: policy, param: "messages[\(index)]"))
            case .parts(let parts)?:
                var cleaned: [JSONValue] = []
                for part in parts {
                    guard case .object(var fields) = part, fields["type"] == .string("text"),
                        case .string(let text)? = fields["text"]
                    else {
                        cleaned.append(part)
                        continue
                    }
                    fields["text"] = .string(try prepare(text, tenant: tenant, policy: policy, param: "messages[\(index)]"))
                    cleaned.append(.object(fields))
                }
                prepared[index].content = .parts(cleaned)
            case nil:
                continue
            }
        }
        return prepared
    }

    /// One text about to leave for a model (a message, a question to embed, an embeddings input).
    func prepareForModel(_ text: String, tenant: String, param: String) throws(PillarError) -> String {
        let policy = safety.policy(for: tenant).pii
        guard policy.beforeModel else { return text }
        return try prepare(text, tenant: tenant, policy: policy, param: param)
    }

    private func prepare(
        _ text: String, tenant: String, policy: PillarConfiguration.PIIPolicy,
        param: String
    ) throws(PillarError) -> String {
        guard policy.action == .block else { return apply(text, tenant: tenant, policy: policy) }
        let kinds = Set(findings(text, policy: policy).map(\.type.rawValue)).sorted()
        guard kinds.isEmpty else {
            throw PillarError.invalidRequest(
                "The request holds personal data (\(kinds.joined(separator: ", "))), which this tenant's policy does not let reach a model.",
                param: param, code: "pii_blocked")
        }
        return text
    }
}
