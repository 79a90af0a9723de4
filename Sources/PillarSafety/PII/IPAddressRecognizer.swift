#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// IPv4 dotted quads (octets 0–255, no leading zeros) and IPv6 addresses validated by `inet_pton`.
public struct IPAddressRecognizer: PIIRecognizer {
    public let name = "ip_address"
    public let type = PIIType.ipAddress
    public init() {}

    private static let v4 = PIIPattern(#"(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)"#)
    private static let v6 = PIIPattern(#"(?<![\w:.])(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{2,45}(?![\w:])"#)
    private static let versionContext = PIIPattern(#"\b(?:version|v|ver|release|build)\.?\s*$"#, caseInsensitive: true)

    public func findings(in text: String) -> [PIIFinding] {
        var found: [PIIFinding] = []
        if text.contains(".") {
            for groups in Self.v4.matches(in: text) {
                guard let range = groups[0], Self.isIPv4(text[range]) else { continue }
                let versionLike = Self.versionContext.isMatch(TextWindow.before(range.lowerBound, in: text, count: 12))
                found.append(PIIFinding(type: .ipAddress, range: range, confidence: versionLike ? 0.3 : 0.85, recognizer: name))
            }
        }
        if text.contains(":") {
            for groups in Self.v6.matches(in: text) {
                guard var range = groups[0] else { continue }
                while text[range].hasSuffix(".") {
                    range = range.lowerBound..<text.index(before: range.upperBound)
                }
                guard Self.isIPv6(text[range]) else { continue }
                found.append(PIIFinding(type: .ipAddress, range: range, confidence: 0.85, recognizer: name))
            }
        }
        return found
    }

    public static func isIPv4(_ candidate: some StringProtocol) -> Bool {
        let parts = candidate.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let value = Int(part) else { return false }
            return value <= 255 && !(part.count > 1 && part.hasPrefix("0"))
        }
    }

    public static func isIPv6(_ candidate: some StringProtocol) -> Bool {
        let string = String(candidate)
        guard string.contains(":"), string.contains(where: { $0.isHexDigit }) else { return false }
        var address = in6_addr()
        return string.withCString { inet_pton(AF_INET6, $0, &address) } == 1
    }
}
