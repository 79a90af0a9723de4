import Foundation

/// Secrets: API keys with known prefixes, PEM private keys, JWTs, passwords in URLs, `key=value` secrets,
/// and (at lower confidence) generic high-entropy tokens. The finding covers the secret only.
public struct CredentialRecognizer: PIIRecognizer {
    public let name = "credential"
    public let type = PIIType.credential
    public init() {}

    struct Rule: Sendable {
        let name: String
        let pattern: PIIPattern
        let confidence: Double
    }

    /// Provider keys recognised by prefix and shape.
    static let prefixRules: [Rule] = [
        Rule(
            name: "credential.openai", pattern: PIIPattern(#"(?<![\w\-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"#),
            confidence: 0.95),
        Rule(
            name: "credential.aws", pattern: PIIPattern(#"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"#),
            confidence: 0.95),
        Rule(
            name: "credential.github",
            pattern: PIIPattern(#"(?<![\w])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"#), confidence: 0.97),
        Rule(name: "credential.slack", pattern: PIIPattern(#"(?<![\w\-])xox[bpoasr]-[A-Za-z0-9\-]{10,}"#), confidence: 0.95),
        Rule(name: "credential.google", pattern: PIIPattern(#"(?<![\w\-])AIza[0-9A-Za-z_\-]{35}(?![\w\-])"#), confidence: 0.95),
        Rule(
            name: "credential.stripe", pattern: PIIPattern(#"(?<![\w\-])(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"#),
            confidence: 0.95),
        Rule(name: "credential.gitlab", pattern: PIIPattern(#"(?<![\w\-])glpat-[A-Za-z0-9_\-]{20,}"#), confidence: 0.95),
        Rule(name: "credential.pillar", pattern: PIIPattern(#"(?<![\w\-])pk-[A-Za-z0-9_\-]{24,}"#), confidence: 0.95),
        Rule(
            name: "credential.private_key",
            pattern: PIIPattern(#"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----"#),
            confidence: 0.99
        ),
    ]

    private static let jwt = PIIPattern(#"(?<![\w\-])eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}(?![\w\-])"#)
    private static let urlPassword = PIIPattern(#"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]+:([^\s@/]+)@[^\s/@]"#)
    private static let keyValue = PIIPattern(
        #"(?<![A-Za-z0-9_.\-])[A-Za-z0-9_.\-]*?(?:password|passwd|passwort|kennwort|wachtwoord|contraseña|pwd|secret|token|api_key|apikey|api-key|access_key|access-key|client_secret)["']?\s*[:=]\s*["']?([^\s"'`,;<>]{6,})"#,
        caseInsensitive: true
    )
    private static let generic = PIIPattern(#"(?<![A-Za-z0-9+/_=\-])[A-Za-z0-9+/_\-]{32,}={0,2}(?![A-Za-z0-9+/_=\-])"#)
    private static let uuid = PIIPattern(#"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"#)
    private static let digestContext = PIIPattern(#"\b(?:sha\d*|checksum|digest|hash|md5|commit|sri)\b"#, caseInsensitive: true)

    public func findings(in text: String) -> [PIIFinding] {
        var found: [PIIFinding] = []
        for rule in Self.prefixRules {
            for groups in rule.pattern.matches(in: text) {
                guard let range = groups[0] else { continue }
                found.append(PIIFinding(type: .credential, range: range, confidence: rule.confidence, recognizer: rule.name))
            }
        }
        if text.contains("eyJ") {
            for groups in Self.jwt.matches(in: text) {
                guard let range = groups[0], Self.isJWT(text[range]) else { continue }
                found.append(PIIFinding(type: .credential, range: range, confidence: 0.95, recognizer: "credential.jwt"))
            }
        }
        if text.contains("://") {
            for groups in Self.urlPassword.matches(in: text) {
                guard let range = groups[1], Self.isLiteralSecret(text[range]) else { continue }
                found.append(PIIFinding(type: .credential, range: range, confidence: 0.9, recognizer: "credential.url_password"))
            }
        }
        for groups in Self.keyValue.matches(in: text) {
            guard var range = groups[1] else { continue }
            while let last = text[range].last, ".)]}".contains(last) {
                range = range.lowerBound..<text.index(before: range.upperBound)
            }
            let value = text[range]
            guard value.count >= 6, Self.isLiteralSecret(value) else { continue }
            let isWord = value.allSatisfy { $0.isLetter && $0.isLowercase }
            found.append(
                PIIFinding(
                    type: .credential, range: range, confidence: isWord ? 0.55 : 0.85,
                    recognizer: "credential.key_value"))
        }
        for groups in Self.generic.matches(in: text) {
            guard let range = groups[0] else { continue }
            let token = text[range]
            guard Self.looksRandom(token) else { continue }
            let isHex = token.allSatisfy(\.isHexDigit)
            if isHex && Self.digestContext.isMatch(TextWindow.before(range.lowerBound, in: text, count: 30)) { continue }
            if Self.uuid.isMatch(token) { continue }
            found.append(PIIFinding(type: .credential, range: range, confidence: 0.6, recognizer: "credential.high_entropy"))
        }
        return found
    }

    /// Placeholders such as `${DB_PASSWORD}`, `<password>` or `******` are not secrets.
    static func isLiteralSecret(_ value: Substring) -> Bool {
        guard let first = value.first else { return false }
        if "$%{<[*".contains(first) { return false }
        if value.allSatisfy({ $0 == "*" || $0 == "x" || $0 == "X" || $0 == "." }) { return false }
        return true
    }

    /// ≥ 32 characters, letters and digits, Shannon entropy ≥ 4.0 bits per character, not a path.
    static func looksRandom(_ token: Substring) -> Bool {
        guard token.count >= 32, !token.hasPrefix("/"), !token.contains("//") else { return false }
        guard token.contains(where: \.isLetter), token.contains(where: \.isASCIIDigit) else { return false }
        return PIIValidators.shannonEntropy(token) >= 4.0
    }

    /// Three base64url parts whose first decodes to a JSON object with an `alg` member.
    static func isJWT(_ token: Substring) -> Bool {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let header = base64URLDecode(parts[0]),
            let json = try? JSONSerialization.jsonObject(with: header) as? [String: Any]
        else { return false }
        return json["alg"] != nil
    }

    static func base64URLDecode(_ part: Substring) -> Data? {
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
