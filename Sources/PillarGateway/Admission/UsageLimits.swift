/// Limits on one scope (a tenant, or one API key): requests and tokens per minute, tokens per UTC day and
/// per UTC month. Nil: no limit of that kind.
public struct UsageLimits: Sendable, Hashable, Codable {
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?
    public var tokensPerDay: Int?
    public var tokensPerMonth: Int?

    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, tokensPerDay: Int? = nil, tokensPerMonth: Int? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.tokensPerDay = tokensPerDay
        self.tokensPerMonth = tokensPerMonth
    }

    public var isEmpty: Bool {
        requestsPerMinute == nil && tokensPerMinute == nil && tokensPerDay == nil && tokensPerMonth == nil
    }
}
