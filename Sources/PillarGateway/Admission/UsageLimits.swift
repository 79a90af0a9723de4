/// Limits on one scope (a tenant, or one API key): requests and tokens per minute, tokens and US dollars per
/// UTC day and per UTC month. Nil: no limit of that kind. Dollars count what models with a configured price
/// cost; a model without a price costs nothing.
public struct UsageLimits: Sendable, Hashable, Codable {
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?
    public var tokensPerDay: Int?
    public var tokensPerMonth: Int?
    public var costPerDayUSD: Double?
    public var costPerMonthUSD: Double?

    public init(
        requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, tokensPerDay: Int? = nil, tokensPerMonth: Int? = nil,
        costPerDayUSD: Double? = nil, costPerMonthUSD: Double? = nil
    ) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.tokensPerDay = tokensPerDay
        self.tokensPerMonth = tokensPerMonth
        self.costPerDayUSD = costPerDayUSD
        self.costPerMonthUSD = costPerMonthUSD
    }

    public var isEmpty: Bool {
        requestsPerMinute == nil && tokensPerMinute == nil && tokensPerDay == nil && tokensPerMonth == nil
            && costPerDayUSD == nil && costPerMonthUSD == nil
    }

    var countsDay: Bool { tokensPerDay != nil || costPerDayUSD != nil }
    var countsMonth: Bool { tokensPerMonth != nil || costPerMonthUSD != nil }
    /// A budget in tokens or dollars over a day or a month (rate limits per minute are not budgets).
    public var hasBudget: Bool { countsDay || countsMonth }
}
