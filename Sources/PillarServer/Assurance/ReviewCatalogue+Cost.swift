import Foundation
import PillarCore
import PillarGateway

extension ReviewCatalogue {
    static let cost: [ReviewCheck] = [
        ReviewCheck(
            id: "CO-01", pillar: .cost, title: "Every served model has a price",
            principle: "Develop cost-management discipline: know what each call costs, per model",
            fix: "add each model to `prices` (`inputPerMillion`, `outputPerMillion` in USD); 0 for a model you run yourself"
        ) { inputs in
            let served = inputs.deployments.filter { !$0.local }.flatMap(\.models)
            guard !served.isEmpty else {
                return .notApplicable(.process("remote models", "none: only the embedded local models run"))
            }
            let missing = Set(served).subtracting(inputs.configuration.prices.keys).sorted()
            return .given(
                missing.isEmpty ? .pass : .fail,
                [
                    .process("served models", Set(served).sorted().joined(separator: ", ")),
                    .configuration("prices missing for", missing.isEmpty ? "none" : missing.joined(separator: ", ")),
                ])
        },
        ReviewCheck(
            id: "CO-02", pillar: .cost, title: "Every tenant has a budget",
            principle: "Develop cost-management discipline: set budgets and stop spending at them",
            fix:
                "set `limits.tenantDefault` with `tokensPerDay`/`tokensPerMonth` or `costPerDayUSD`/`costPerMonthUSD` (and per tenant under `limits.tenants`)"
        ) { inputs in
            let limits = inputs.configuration.limits
            let tenants = inputs.tenants.filter { !ProbeTenant.isReserved($0) }
            let without = tenants.filter { !((limits.tenants[$0] ?? limits.tenantDefault)?.hasBudget ?? false) }
            return .given(
                without.isEmpty ? .pass : .warn,
                [
                    .configuration(
                        "limits.tenantDefault", limits.tenantDefault?.hasBudget == true ? "has a budget" : "no budget"),
                    .database("tenants without a budget", without.isEmpty ? "none" : without.joined(separator: ", ")),
                ])
        },
        ReviewCheck(
            id: "CO-03", pillar: .cost, title: "Every tenant has a rate limit",
            principle:
                "Design for usage optimization: cap the request rate so a runaway client cannot spend the budget in minutes",
            fix: "set `limits.tenantDefault.requestsPerMinute` or `tokensPerMinute`"
        ) { inputs in
            let limits = inputs.configuration.limits
            let tenants = inputs.tenants.filter { !ProbeTenant.isReserved($0) }
            let without = tenants.filter {
                let value = limits.tenants[$0] ?? limits.tenantDefault
                return value?.requestsPerMinute == nil && value?.tokensPerMinute == nil
            }
            return .given(
                without.isEmpty ? .pass : .warn,
                [.database("tenants without a rate limit", without.isEmpty ? "none" : without.joined(separator: ", "))])
        },
        ReviewCheck(
            id: "CO-04", pillar: .cost, title: "Answers have a default length cap",
            principle: "Design with a cost-efficiency mindset: bound the tokens a request without max_tokens may spend",
            fix: "keep `limits.defaultCompletionTokens` at 4096 or less"
        ) { inputs in
            let cap = inputs.configuration.limits.defaultCompletionTokens
            return .given(cap <= 4_096 ? .pass : .warn, [.configuration("limits.defaultCompletionTokens", cap)])
        },
        ReviewCheck(
            id: "CO-05", pillar: .cost, title: "Evaluation and monitoring spend has a budget of its own",
            principle: "Develop cost-management discipline: experimentation is budgeted apart from users' traffic",
            fix: "set `evaluation.budgetDefault` (tokens or USD per day or month)"
        ) { inputs in
            let set = inputs.configuration.evaluation.budgetDefault?.hasBudget ?? false
            return .given(set ? .pass : .warn, [.configuration("evaluation.budgetDefault", set ? "set" : "unset")])
        },
        ReviewCheck(
            id: "CO-06", pillar: .cost, title: "Every paid call's cost is recorded",
            principle: "Monitor and optimize over time: attribute every call's cost",
            fix: "add the models named in `GET /v1/admin/usage?group_by=model` with no cost to `prices`"
        ) { inputs in
            let traffic = inputs.traffic
            guard traffic.requests > 0 else { return .notApplicable(.database("users' model calls in the last 24 h", 0)) }
            let share = Double(traffic.withoutCost) / Double(traffic.requests)
            let remote = inputs.deployments.contains { !$0.local }
            guard remote else { return .notApplicable(.process("remote models", "none: the local models cost nothing per call")) }
            return .given(
                share == 0 ? .pass : share < 0.5 ? .warn : .fail,
                [
                    .database("calls without a cost in the last 24 h", "\(traffic.withoutCost) of \(traffic.requests)")
                ])
        },
        ReviewCheck(
            id: "CO-07", pillar: .cost, title: "Online evaluation samples rather than judges everything",
            principle: "Design for usage optimization: judge a sample of answers, not every one",
            fix: "set `monitoring.sampling.rate` to 0.2 or less (and per tenant under `monitoring.tenants`)"
        ) { inputs in
            let monitoring = inputs.configuration.monitoring
            guard monitoring.enabled else { return .notApplicable(.configuration("monitoring.enabled", false)) }
            let rates =
                [("monitoring.sampling.rate", monitoring.sampling.rate)]
                + monitoring.tenants.keys.sorted().map { ("monitoring.tenants.\($0).rate", monitoring.tenants[$0]!.rate) }
            let high = rates.filter { $0.1 > 0.2 }
            return .given(high.isEmpty ? .pass : .warn, rates.map { .configuration($0.0, format($0.1)) })
        },
    ]
}
