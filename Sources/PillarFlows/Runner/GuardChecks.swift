import Foundation

/// The checks a `guard` node runs on a text; each failed check is one finding. Content filters, prompt
/// shields and PII recognizers join these as check kinds of their own.
enum GuardChecks {
    /// The checks that need the tenant's policy, then the plain ones.
    static func findings(
        of checks: [GuardStep.Check], in text: String, tenant: String,
        safety: (any FlowSafety)?
    ) async throws -> [String] {
        var found: [String] = []
        for check in checks {
            switch check {
            case .contentFilter:
                found += try await safety?.contentFindings(text, tenant: tenant) ?? []
            case .jailbreak:
                found += safety?.jailbreakFindings(text, tenant: tenant) ?? []
            case .personalData:
                found += safety?.personalDataFindings(text, tenant: tenant) ?? []
            default:
                found += findings(of: [check], in: text)
            }
        }
        return found
    }

    static func findings(of checks: [GuardStep.Check], in text: String) -> [String] {
        checks.compactMap { check in
            switch check {
            case .notEmpty:
                return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "the text is empty" : nil
            case .maxChars(let limit):
                return text.count > limit ? "longer than \(limit) characters (\(text.count))" : nil
            case .minChars(let limit):
                return text.count < limit ? "shorter than \(limit) characters (\(text.count))" : nil
            case .blocklist(let terms):
                let words = Set(text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init))
                let lowered = text.lowercased()
                let hits = terms.filter { term in
                    let term = term.lowercased()
                    // A term of several words matches as a phrase; a single word matches whole words only.
                    return term.contains(" ") ? lowered.contains(term) : words.contains(term)
                }
                return hits.isEmpty ? nil : "blocked terms: " + hits.joined(separator: ", ")
            case .pattern(let pattern):
                guard let expression = try? NSRegularExpression(pattern: pattern) else { return "the pattern does not compile" }
                let range = NSRange(text.startIndex..., in: text)
                return expression.firstMatch(in: text, range: range) == nil ? nil : "matches the pattern \(pattern)"
            case .contentFilter, .jailbreak, .personalData:
                return nil
            }
        }
    }
}
