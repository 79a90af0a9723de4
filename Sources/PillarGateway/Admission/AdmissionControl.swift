import Foundation
import PillarCore

/// Admits a request only if it fits every limit of its tenant and of its API key, and reserves what it may
/// spend before the model is called: its prompt tokens plus `max_tokens`. Without `max_tokens`, the
/// reservation caps the completion at what the budget has left (at most `defaultCompletionTokens`), and the
/// caller must pass that cap on. Reservations are settled to the actual usage afterwards. Checks and
/// reservations happen together inside the actor with no suspension between them, so concurrent requests
/// can never spend past a budget. Day and month budgets start from the usage already recorded (the ledger),
/// so they survive a restart.
public actor AdmissionControl {
    public struct Policy: Sendable, Hashable {
        /// Limits of every tenant not named in `tenants`.
        public var defaultTenantLimits: UsageLimits?
        public var tenants: [String: UsageLimits]
        /// Limits of single API keys, by key id.
        public var keys: [String: UsageLimits]
        public var defaultCompletionTokens: Int

        public init(
            defaultTenantLimits: UsageLimits? = nil, tenants: [String: UsageLimits] = [:],
            keys: [String: UsageLimits] = [:], defaultCompletionTokens: Int = 1024
        ) {
            self.defaultTenantLimits = defaultTenantLimits
            self.tenants = tenants
            self.keys = keys
            self.defaultCompletionTokens = defaultCompletionTokens
        }

        public var isEmpty: Bool { (defaultTenantLimits?.isEmpty ?? true) && tenants.isEmpty && keys.isEmpty }
    }

    public struct Reservation: Sendable {
        let id: UUID
        let scopes: [Scope]
        let tokens: Int
        /// The most the call may cost, in US dollars (0 for a model without a price).
        let cost: Double
        let day: String
        let month: String
        /// The most completion tokens the call may produce; the request's `max_tokens` must not exceed it.
        public let completionAllowance: Int?
    }

    struct Scope: Hashable, Sendable {
        var tenant: String
        var key: String?
        var label: String { key.map { "key \($0)" } ?? "tenant \(tenant)" }
    }

    struct Period {
        var key: String
        var committed: Int
        var reserved = 0
        var committedCost: Double = 0
        var reservedCost: Double = 0
        var total: Int { committed + reserved }
        var totalCost: Double { committedCost + reservedCost }
    }

    struct ScopeState {
        var minute: [(id: UUID, at: ContinuousClock.Instant, tokens: Int)] = []
        var day: Period?
        var month: Period?
    }

    let policy: Policy
    let ledger: any UsageLedger
    var states: [Scope: ScopeState] = [:]

    public init(policy: Policy, ledger: any UsageLedger) {
        self.policy = policy
        self.ledger = ledger
    }

    func limits(for scope: Scope) -> UsageLimits? {
        if let key = scope.key { return policy.keys[key] }
        return policy.tenants[scope.tenant] ?? policy.defaultTenantLimits
    }

    /// Reserves room for one call, or refuses it with 429, `Retry-After` and `x-ratelimit-*` headers. Nil when
    /// no limit applies.
    public func reserve(
        tenant: String, key: String?, promptTokens: Int, maxTokens: Int?, price: ModelPrice? = nil,
        now: Date = Date()
    ) async throws -> Reservation? {
        var scopes = [Scope(tenant: tenant, key: nil)]
        if let key { scopes.append(Scope(tenant: tenant, key: key)) }
        scopes = scopes.filter { !(limits(for: $0)?.isEmpty ?? true) }
        guard !scopes.isEmpty else { return nil }
        let (day, dayStart, month, monthStart) = Self.periods(of: now)
        for scope in scopes { try await loadPeriods(scope, day: day, dayStart: dayStart, month: month, monthStart: monthStart) }

        // From here to the end nothing suspends: the checks and the reservation are one step.
        let clock = ContinuousClock.now
        var allowance = maxTokens
        if maxTokens == nil {
            // What a dollar budget has left, in completion tokens once the prompt is paid for.
            func tokens(forDollars left: Double) -> Int? {
                guard let price, price.outputPerMillion > 0 else { return nil }
                let promptCost = Double(promptTokens) * price.inputPerMillion / 1_000_000
                return promptTokens + Int(((left - promptCost) * 1_000_000 / price.outputPerMillion).rounded(.down))
            }
            let room = scopes.compactMap { scope -> Int? in
                guard let limits = limits(for: scope), let state = states[scope] else { return nil }
                return [
                    limits.tokensPerDay.map { $0 - (state.day?.total ?? 0) },
                    limits.tokensPerMonth.map { $0 - (state.month?.total ?? 0) },
                    limits.costPerDayUSD.flatMap { tokens(forDollars: $0 - (state.day?.totalCost ?? 0)) },
                    limits.costPerMonthUSD.flatMap { tokens(forDollars: $0 - (state.month?.totalCost ?? 0)) },
                ]
                .compactMap { $0 }.min()
            }.min()
            if let room { allowance = min(policy.defaultCompletionTokens, room - promptTokens) }
        }
        if let allowance, allowance < 1 {
            // Not even one completion token fits: the check names the budget that is spent.
            for scope in scopes {
                try check(scope, tokens: promptTokens + 1, cost: Self.cost(promptTokens, 1, price), at: clock, now: now)
            }
            throw budgetRefusal(scopes[0], period: "day", limit: 0, used: 0, now: now)
        }
        let completion = allowance ?? policy.defaultCompletionTokens
        let tokens = promptTokens + completion
        let cost = Self.cost(promptTokens, completion, price)
        for scope in scopes {
            try check(scope, tokens: tokens, cost: cost, at: clock, now: now)
        }
        let reservation = Reservation(
            id: UUID(), scopes: scopes, tokens: tokens, cost: cost, day: day, month: month,
            completionAllowance: maxTokens == nil ? allowance : nil)
        for scope in scopes {
            states[scope, default: ScopeState()].minute.append((reservation.id, clock, tokens))
            states[scope]?.day?.reserved += tokens
            states[scope]?.month?.reserved += tokens
            states[scope]?.day?.reservedCost += cost
            states[scope]?.month?.reservedCost += cost
        }
        return reservation
    }

    static func cost(_ promptTokens: Int, _ completionTokens: Int, _ price: ModelPrice?) -> Double {
        price?.cost(of: Usage(promptTokens: promptTokens, completionTokens: completionTokens)) ?? 0
    }

    /// Grows a reservation by what a continuation of its call adds (the prompt sent again, with the answer so
    /// far), if every budget of its scopes still has room; nil leaves the reservation as it was. The request was
    /// already admitted, so its requests-per-minute count does not grow, but its tokens do.
    public func extend(_ reservation: Reservation, tokens: Int, cost: Double, now: Date = Date()) -> Reservation? {
        let clock = ContinuousClock.now
        for scope in reservation.scopes {
            guard let limits = limits(for: scope), let state = states[scope] else { continue }
            let minute = state.minute.filter { clock - $0.at < .seconds(60) }.reduce(0) { $0 + $1.tokens }
            if let tpm = limits.tokensPerMinute, minute + tokens > tpm { return nil }
            if let day = state.day, day.key == reservation.day {
                if let budget = limits.tokensPerDay, day.total + tokens > budget { return nil }
                if let budget = limits.costPerDayUSD, day.totalCost + cost > budget { return nil }
            }
            if let month = state.month, month.key == reservation.month {
                if let budget = limits.tokensPerMonth, month.total + tokens > budget { return nil }
                if let budget = limits.costPerMonthUSD, month.totalCost + cost > budget { return nil }
            }
        }
        for scope in reservation.scopes {
            guard var state = states[scope] else { continue }
            if let index = state.minute.firstIndex(where: { $0.id == reservation.id }) { state.minute[index].tokens += tokens }
            if state.day?.key == reservation.day {
                state.day?.reserved += tokens
                state.day?.reservedCost += cost
            }
            if state.month?.key == reservation.month {
                state.month?.reserved += tokens
                state.month?.reservedCost += cost
            }
            states[scope] = state
        }
        return Reservation(
            id: reservation.id, scopes: reservation.scopes, tokens: reservation.tokens + tokens,
            cost: reservation.cost + cost, day: reservation.day, month: reservation.month,
            completionAllowance: reservation.completionAllowance)
    }

    /// Replaces the reservation by what the call really used (tokens, and dollars at the model's price).
    public func settle(_ reservation: Reservation, usedTokens: Int, usedCost: Double = 0) {
        for scope in reservation.scopes {
            guard var state = states[scope] else { continue }
            if let index = state.minute.firstIndex(where: { $0.id == reservation.id }) {
                state.minute[index].tokens = usedTokens
            }
            if state.day?.key == reservation.day {
                state.day?.reserved -= reservation.tokens
                state.day?.committed += usedTokens
                state.day?.reservedCost -= reservation.cost
                state.day?.committedCost += usedCost
            }
            if state.month?.key == reservation.month {
                state.month?.reserved -= reservation.tokens
                state.month?.committed += usedTokens
                state.month?.reservedCost -= reservation.cost
                state.month?.committedCost += usedCost
            }
            states[scope] = state
        }
    }

    private func check(_ scope: Scope, tokens: Int, cost: Double, at clock: ContinuousClock.Instant, now: Date)
        throws(PillarError)
    {
        guard let limits = limits(for: scope) else { return }
        var state = states[scope, default: ScopeState()]
        state.minute.removeAll { clock - $0.at >= .seconds(60) }
        states[scope] = state
        let oldest = state.minute.first.map { Int(((.seconds(60) - (clock - $0.at)) / .seconds(1)).rounded(.up)) } ?? 60
        if let rpm = limits.requestsPerMinute, state.minute.count + 1 > rpm {
            throw minuteRefusal(scope, limits: limits, state: state, retryAfter: max(1, oldest), what: "requests per minute")
        }
        // A request bigger than a whole limit would never be admitted: waiting cannot help, so it is not a 429.
        for (limit, what) in [
            (limits.tokensPerMinute, "tokens-per-minute"), (limits.tokensPerDay, "daily token budget"),
            (limits.tokensPerMonth, "monthly token budget"),
        ] {
            if let limit, tokens > limit {
                throw PillarError.invalidRequest(
                    "This request needs an estimated \(tokens) tokens (prompt plus max_tokens), more than the \(what) of \(limit) for \(scope.label); lower max_tokens or shorten the prompt.",
                    param: "max_tokens", code: "request_too_large")
            }
        }
        let minuteTokens = state.minute.reduce(0) { $0 + $1.tokens }
        if let tpm = limits.tokensPerMinute, minuteTokens + tokens > tpm {
            throw minuteRefusal(scope, limits: limits, state: state, retryAfter: max(1, oldest), what: "tokens per minute")
        }
        if let budget = limits.tokensPerDay, let day = state.day, day.total + tokens > budget {
            throw budgetRefusal(scope, period: "day", limit: budget, used: day.total, now: now)
        }
        if let budget = limits.tokensPerMonth, let month = state.month, month.total + tokens > budget {
            throw budgetRefusal(scope, period: "month", limit: budget, used: month.total, now: now)
        }
        for (budget, period, spent) in [
            (limits.costPerDayUSD, "day", state.day?.totalCost), (limits.costPerMonthUSD, "month", state.month?.totalCost),
        ] {
            guard let budget, let spent else { continue }
            if cost > budget {
                throw PillarError.invalidRequest(
                    "This request may cost up to US$\(String(format: "%.4f", cost)), more than the budget per \(period) of US$\(budget) for \(scope.label); lower max_tokens or shorten the prompt.",
                    param: "max_tokens", code: "request_too_large")
            }
            if spent + cost > budget {
                var error = budgetRefusal(scope, period: period, limit: 0, used: 0, now: now)
                error = PillarError(
                    .rateLimited, code: "budget_exceeded",
                    message: "The dollar budget per \(period) of \(scope.label) does not cover this request.",
                    retryAfterSeconds: error.retryAfterSeconds)
                error.headers = [
                    "x-ratelimit-limit-cost-usd-\(period)": String(budget),
                    "x-ratelimit-remaining-cost-usd-\(period)": String(format: "%.6f", max(0, budget - spent)),
                ]
                throw error
            }
        }
    }

    func loadPeriods(_ scope: Scope, day: String, dayStart: Date, month: String, monthStart: Date) async throws {
        guard let limits = limits(for: scope) else { return }
        if limits.countsDay, states[scope]?.day?.key != day {
            let used = try await ledger.tokensUsed(
                tenant: scope.tenant, subject: scope.key, since: dayStart.timeIntervalSince1970)
            let cost = try await ledger.costUsed(tenant: scope.tenant, subject: scope.key, since: dayStart.timeIntervalSince1970)
            // Another request may have loaded the period while this one waited; its counts are newer.
            if states[scope, default: ScopeState()].day?.key != day {
                states[scope, default: ScopeState()].day = Period(key: day, committed: used, committedCost: cost)
            }
        }
        if limits.countsMonth, states[scope]?.month?.key != month {
            let used = try await ledger.tokensUsed(
                tenant: scope.tenant, subject: scope.key, since: monthStart.timeIntervalSince1970)
            let cost = try await ledger.costUsed(
                tenant: scope.tenant, subject: scope.key, since: monthStart.timeIntervalSince1970)
            if states[scope, default: ScopeState()].month?.key != month {
                states[scope, default: ScopeState()].month = Period(key: month, committed: used, committedCost: cost)
            }
        }
    }

    private func minuteRefusal(_ scope: Scope, limits: UsageLimits, state: ScopeState, retryAfter: Int, what: String)
        -> PillarError
    {
        var error = PillarError(
            .rateLimited, code: "rate_limit_exceeded",
            message: "The \(what) limit of \(scope.label) is reached; try again in \(retryAfter) s.",
            retryAfterSeconds: retryAfter)
        let used = state.minute.reduce(0) { $0 + $1.tokens }
        if let rpm = limits.requestsPerMinute {
            error.headers["x-ratelimit-limit-requests"] = String(rpm)
            error.headers["x-ratelimit-remaining-requests"] = String(max(0, rpm - state.minute.count))
        }
        if let tpm = limits.tokensPerMinute {
            error.headers["x-ratelimit-limit-tokens"] = String(tpm)
            error.headers["x-ratelimit-remaining-tokens"] = String(max(0, tpm - used))
        }
        error.headers["x-ratelimit-reset-requests"] = "\(retryAfter)s"
        return error
    }

    private func budgetRefusal(_ scope: Scope, period: String, limit: Int, used: Int, now: Date) -> PillarError {
        let (_, dayStart, _, monthStart) = Self.periods(of: now)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let next =
            period == "day"
            ? calendar.date(byAdding: .day, value: 1, to: dayStart)!
            : calendar.date(byAdding: .month, value: 1, to: monthStart)!
        let retryAfter = max(1, Int(next.timeIntervalSince(now).rounded(.up)))
        var error = PillarError(
            .rateLimited, code: "budget_exceeded",
            message: "The token budget per \(period) of \(scope.label) does not cover this request.",
            retryAfterSeconds: retryAfter)
        error.headers["x-ratelimit-limit-tokens-\(period)"] = String(limit)
        error.headers["x-ratelimit-remaining-tokens-\(period)"] = String(max(0, limit - used))
        return error
    }

    /// The UTC day and month of a moment, as keys and start times.
    static func periods(of now: Date) -> (day: String, dayStart: Date, month: String, monthStart: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        let dayStart = calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: parts.day))!
        let monthStart = calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: 1))!
        return (
            String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!), dayStart,
            String(format: "%04d-%02d", parts.year!, parts.month!), monthStart
        )
    }
}
