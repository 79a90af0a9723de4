import NIOHTTP1

/// What an upstream said of its remaining quota (`x-ratelimit-remaining-requests`/`-tokens`, as OpenAI and
/// Azure OpenAI send them), so that a request can be sent elsewhere *before* the deployment would throttle it.
public struct UpstreamRateLimits: Sendable, Hashable {
    public var remainingRequests: Int?
    public var remainingTokens: Int?
    /// When the quota is refilled, if the upstream said (`x-ratelimit-reset-requests`/`-tokens`, e.g. `1s`, `6m0s`).
    public var resetsAt: ContinuousClock.Instant?

    public init(remainingRequests: Int? = nil, remainingTokens: Int? = nil, resetsAt: ContinuousClock.Instant? = nil) {
        self.remainingRequests = remainingRequests
        self.remainingTokens = remainingTokens
        self.resetsAt = resetsAt
    }

    public init?(headers: HTTPHeaders, now: ContinuousClock.Instant) {
        let requests = headers.first(name: "x-ratelimit-remaining-requests").flatMap { Int($0) }
        let tokens = headers.first(name: "x-ratelimit-remaining-tokens").flatMap { Int($0) }
        guard requests != nil || tokens != nil else { return nil }
        let resets = ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"]
            .compactMap { headers.first(name: $0).flatMap(Self.duration) }.max()
        self.init(
            remainingRequests: requests, remainingTokens: tokens,
            resetsAt: now + (resets ?? .seconds(1)))
    }

    /// Whether a request of about `tokens` tokens would be throttled, judging by the last answer.
    public func wouldThrottle(tokens: Int, at now: ContinuousClock.Instant) -> Bool {
        if let resetsAt, now >= resetsAt { return false }
        if let remainingRequests, remainingRequests <= 0 { return true }
        if let remainingTokens, remainingTokens < tokens { return true }
        return false
    }

    /// `1s`, `250ms`, `6m0s`, `1h2m3.5s`, or a bare number of seconds.
    static func duration(_ text: String) -> Duration? {
        if let seconds = Double(text) { return .milliseconds(Int64(seconds * 1000)) }
        var total = 0.0
        var number = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isNumber || character == "." {
                number.append(character)
                index = text.index(after: index)
                continue
            }
            guard let value = Double(number) else { return nil }
            let rest = text[index...]
            if rest.hasPrefix("ms") {
                total += value / 1000
                index = text.index(index, offsetBy: 2)
            } else {
                switch character {
                case "h": total += value * 3600
                case "m": total += value * 60
                case "s": total += value
                default: return nil
                }
                index = text.index(after: index)
            }
            number = ""
        }
        guard number.isEmpty else { return nil }
        return .milliseconds(Int64(total * 1000))
    }
}
