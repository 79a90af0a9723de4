import Foundation
import PillarCore

/// What each limit of a tenant and of its keys allows, has used and has left, as the admission control counts it
/// at this moment: the console's and the API's view of the budgets, from the same numbers that admit requests.
public struct BudgetStanding: Sendable, Hashable, Codable {
    /// `tenant`, `key` (one API key's own limits) or `evaluation` (the evaluation runs' budget).
    public var scope: String
    /// The key's id, for the `key` scope.
    public var key: String?
    public var lines: [Line]

    public struct Line: Sendable, Hashable, Codable {
        /// `requests_per_minute`, `tokens_per_minute`, `tokens_per_day`, `tokens_per_month`, `cost_per_day_usd`
        /// or `cost_per_month_usd`.
        public var name: String
        /// `requests`, `tokens` or `usd`.
        public var unit: String
        public var limit: Double
        /// Settled use in the window or period.
        public var used: Double
        /// Held by requests still in flight, settled to what they really use when they end.
        public var reserved: Double
        public var remaining: Double
        /// When the window frees room or the period starts again (seconds since 1970).
        public var resetsAt: Double

        enum CodingKeys: String, CodingKey {
            case name, unit, limit, used, reserved, remaining
            case resetsAt = "resets_at"
        }
    }
}

extension AdmissionControl {
    /// The standing of the tenant's limits and of the limits of those of `keys` that have their own. Loads the
    /// day's and month's use from the ledger when no request has yet.
    public func standing(tenant: String, keys: [String], scope label: String = "tenant", now: Date = Date())
        async throws -> [BudgetStanding]
    {
        let (day, dayStart, month, monthStart) = Self.periods(of: now)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let nextDay = calendar.date(byAdding: .day, value: 1, to: dayStart)!.timeIntervalSince1970
        let nextMonth = calendar.date(byAdding: .month, value: 1, to: monthStart)!.timeIntervalSince1970
        var scopes = [Scope(tenant: tenant, key: nil)]
        scopes += keys.sorted().map { Scope(tenant: tenant, key: $0) }
        var standings: [BudgetStanding] = []
        for scope in scopes {
            guard let limits = limits(for: scope), !limits.isEmpty else { continue }
            try await loadPeriods(scope, day: day, dayStart: dayStart, month: month, monthStart: monthStart)
            let clock = ContinuousClock.now
            let state = states[scope] ?? ScopeState()
            let minute = state.minute.filter { clock - $0.at < .seconds(60) }
            // The minute window frees room as its oldest entry turns a minute old.
            let minuteReset =
                minute.first.map {
                    now.timeIntervalSince1970 + Double((.seconds(60) - (clock - $0.at)) / .milliseconds(1)) / 1000
                } ?? now.timeIntervalSince1970
            var lines: [BudgetStanding.Line] = []
            func add(_ name: String, _ unit: String, _ limit: Double?, used: Double, reserved: Double, resets: Double) {
                guard let limit else { return }
                lines.append(
                    .init(
                        name: name, unit: unit, limit: limit, used: used, reserved: reserved,
                        remaining: max(0, limit - used - reserved), resetsAt: resets))
            }
            add(
                "requests_per_minute", "requests", limits.requestsPerMinute.map(Double.init), used: Double(minute.count),
                reserved: 0, resets: minuteReset)
            // A minute entry holds a reservation's tokens until it is settled, then what was used.
            add(
                "tokens_per_minute", "tokens", limits.tokensPerMinute.map(Double.init),
                used: Double(minute.reduce(0) { $0 + $1.tokens }), reserved: 0, resets: minuteReset)
            let today = state.day?.key == day ? state.day : nil
            let thisMonth = state.month?.key == month ? state.month : nil
            add(
                "tokens_per_day", "tokens", limits.tokensPerDay.map(Double.init), used: Double(today?.committed ?? 0),
                reserved: Double(today?.reserved ?? 0), resets: nextDay)
            add(
                "tokens_per_month", "tokens", limits.tokensPerMonth.map(Double.init),
                used: Double(thisMonth?.committed ?? 0), reserved: Double(thisMonth?.reserved ?? 0), resets: nextMonth)
            add(
                "cost_per_day_usd", "usd", limits.costPerDayUSD, used: today?.committedCost ?? 0,
                reserved: today?.reservedCost ?? 0, resets: nextDay)
            add(
                "cost_per_month_usd", "usd", limits.costPerMonthUSD, used: thisMonth?.committedCost ?? 0,
                reserved: thisMonth?.reservedCost ?? 0, resets: nextMonth)
            standings.append(BudgetStanding(scope: scope.key == nil ? label : "key", key: scope.key, lines: lines))
        }
        return standings
    }
}
