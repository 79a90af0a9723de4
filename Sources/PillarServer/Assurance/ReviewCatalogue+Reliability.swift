import Foundation

extension ReviewCatalogue {
    static let reliability: [ReviewCheck] = [
        ReviewCheck(
            id: "RE-01", pillar: .reliability, title: "Every chat model has a second deployment",
            principle:
                "Mitigate single points of failure: build redundancy into every critical component, model endpoints included",
            fix:
                "add a second entry under `deployments` serving the model (another region or provider), or accept it with `assurance.review.exceptions.RE-01: <reason>`"
        ) { inputs in
            let models = inputs.chatModels
            guard !models.isEmpty else { return .notApplicable(.process("chat models", "none served")) }
            let single = models.filter { $0.value.count < 2 }.keys.sorted()
            let evidence = models.keys.sorted().map {
                ReviewEvidence.process("deployments of \($0)", models[$0]!.map(\.name).joined(separator: ", "))
            }
            return .given(single.isEmpty ? .pass : .fail, evidence)
        },
        ReviewCheck(
            id: "RE-02", pillar: .reliability, title: "Circuit breakers take a failing deployment out",
            principle: "Design for resilience: contain failures so one unhealthy dependency does not take the workload down",
            fix: "set `gateway.breakerFailureRate` to 0.5 or less and `gateway.breakerMinimumCalls` to 20 or less"
        ) { inputs in
            let gateway = inputs.configuration.gateway
            let ok = gateway.breakerFailureRate <= 0.5 && gateway.breakerMinimumCalls <= 20 && gateway.breakerOpenSeconds >= 1
            let loose = gateway.breakerFailureRate < 1 && gateway.breakerMinimumCalls <= 100
            return .given(
                ok ? .pass : loose ? .warn : .fail,
                [
                    .configuration("gateway.breakerFailureRate", format(gateway.breakerFailureRate)),
                    .configuration("gateway.breakerMinimumCalls", gateway.breakerMinimumCalls),
                    .configuration("gateway.breakerOpenSeconds", format(gateway.breakerOpenSeconds)),
                ])
        },
        ReviewCheck(
            id: "RE-03", pillar: .reliability, title: "Timeouts bound every model call",
            principle: "Design for resilience: a slow dependency must fail fast enough for a retry elsewhere to help",
            fix: "keep `timeouts.connectSeconds` ≤ 10, `timeouts.firstTokenSeconds` ≤ 60 and `timeouts.totalSeconds` ≤ 600"
        ) { inputs in
            let timeouts = inputs.configuration.timeouts
            let ok = timeouts.connectSeconds <= 10 && timeouts.firstTokenSeconds <= 60 && timeouts.totalSeconds <= 600
            let loose = timeouts.connectSeconds <= 30 && timeouts.firstTokenSeconds <= 300 && timeouts.totalSeconds <= 3_600
            return .given(
                ok ? .pass : loose ? .warn : .fail,
                [
                    .configuration("timeouts.connectSeconds", format(timeouts.connectSeconds)),
                    .configuration("timeouts.firstTokenSeconds", format(timeouts.firstTokenSeconds)),
                    .configuration("timeouts.totalSeconds", format(timeouts.totalSeconds)),
                ])
        },
        ReviewCheck(
            id: "RE-04", pillar: .reliability, title: "Retries back off and stop",
            principle: "Design for resilience: handle transient faults with bounded retries and backoff",
            fix:
                "set `gateway.maxAttempts` to 2-6, `gateway.retryBaseDelayMs` above 0 and `gateway.retryTotalSeconds` to 120 or less"
        ) { inputs in
            let gateway = inputs.configuration.gateway
            let status: ReviewStatus
            if gateway.maxAttempts < 2 {
                status = .warn
            } else if gateway.maxAttempts > 6 || gateway.retryBaseDelayMs == 0 || gateway.retryTotalSeconds > 120 {
                status = .fail
            } else {
                status = .pass
            }
            return .given(
                status,
                [
                    .configuration("gateway.maxAttempts", gateway.maxAttempts),
                    .configuration("gateway.retryBaseDelayMs", gateway.retryBaseDelayMs),
                    .configuration("gateway.retryTotalSeconds", format(gateway.retryTotalSeconds)),
                ])
        },
        ReviewCheck(
            id: "RE-05", pillar: .reliability, title: "Bulkheads keep one tenant or deployment from taking all capacity",
            principle: "Design for resilience: isolate workloads so a noisy neighbour cannot exhaust shared capacity",
            fix: "set `gateway.maxInFlightPerTenant`, or `maxInFlight` on each deployment"
        ) { inputs in
            let perTenant = inputs.configuration.gateway.maxInFlightPerTenant
            let capped = inputs.deployments.filter { $0.maxInFlight != nil }.count
            let status: ReviewStatus =
                perTenant != nil ? .pass : (capped > 0 && capped == inputs.deployments.count ? .pass : .warn)
            return .given(
                status,
                [
                    .configuration("gateway.maxInFlightPerTenant", perTenant.map(String.init) ?? "unset"),
                    .process("deployments with maxInFlight", "\(capped) of \(inputs.deployments.count)"),
                ])
        },
        ReviewCheck(
            id: "RE-06", pillar: .reliability, title: "The database was backed up recently",
            principle:
                "Design for recovery: back up the data the workload cannot rebuild (prompts, traces, keys, audit) and know its age",
            fix:
                "run `pillar backup --to DIR` on a schedule (cron, a Kubernetes CronJob) at least every `assurance.review.backupMaxAgeHours`"
        ) { inputs in
            let limit = inputs.configuration.assurance.review.backupMaxAgeHours * 3_600
            guard let backup = inputs.latestBackup else {
                return .fail(
                    .database("newest backup", "none recorded"),
                    .configuration("assurance.review.backupMaxAgeHours", format(limit / 3_600)))
            }
            let age = inputs.now - backup.at
            return .given(
                age <= limit ? .pass : age <= limit * 3 ? .warn : .fail,
                [
                    .database(
                        "newest backup",
                        "\(backup.id) in \(backup.directory), \(ReviewInputs.hours(age)) ago, audit head \(backup.auditHeadSeq)"),
                    .configuration("assurance.review.backupMaxAgeHours", format(limit / 3_600)),
                ])
        },
        ReviewCheck(
            id: "RE-07", pillar: .reliability, title: "Shutdown drains requests in flight",
            principle: "Design for operations: deployments and restarts must not cut users' answers off",
            fix: "set `server.drainSeconds` to at least 5 (and the orchestrator's grace period above it)"
        ) { inputs in
            let drain = inputs.configuration.server.drainSeconds
            return .given(drain >= 5 ? .pass : .warn, [.configuration("server.drainSeconds", format(drain))])
        },
        ReviewCheck(
            id: "RE-08", pillar: .reliability, title: "No deployment's breaker is open now",
            principle: "Conduct failure mode analysis: know which dependencies are failing right now",
            fix:
                "look at `GET /v1/admin/gateway` and the deployment's upstream; an open breaker closes itself once probes succeed"
        ) { inputs in
            guard !inputs.deployments.isEmpty else { return .notApplicable(.process("deployments", "none")) }
            let open = inputs.deployments.filter { $0.breaker == "open" }
            let halfOpen = inputs.deployments.filter { $0.breaker == "half_open" }
            let evidence = inputs.deployments.map { ReviewEvidence.process("breaker of \($0.name)", $0.breaker) }
            return .given(
                open.isEmpty ? (halfOpen.isEmpty ? .pass : .warn) : (open.count == inputs.deployments.count ? .fail : .warn),
                evidence)
        },
        ReviewCheck(
            id: "RE-09", pillar: .reliability, title: "Users' model calls succeed",
            principle: "Set reliability targets: measure the failure rate users see against a target",
            fix:
                "find the failing deployment in `GET /v1/admin/usage?group_by=deployment` and `GET /v1/admin/turns`; add capacity or a fallback deployment"
        ) { inputs in
            let traffic = inputs.traffic
            guard traffic.requests > 0 else { return .notApplicable(.database("users' model calls in the last 24 h", 0)) }
            let rate = Double(traffic.failed) / Double(traffic.requests)
            return .given(
                graded(rate, good: 0...0.02, tolerable: 0...0.1),
                [
                    .database("users' model calls in the last 24 h", traffic.requests),
                    .database("failed share", String(format: "%.3f", rate)),
                ])
        },
        ReviewCheck(
            id: "RE-10", pillar: .reliability, title: "The vector index is saved often",
            principle: "Design for recovery: a restart should reload, not rebuild, the search index",
            fix: "keep `retrieval.persistIntervalSeconds` at 300 or less"
        ) { inputs in
            let interval = inputs.configuration.retrieval.persistIntervalSeconds
            return .given(interval <= 300 ? .pass : .warn, [.configuration("retrieval.persistIntervalSeconds", format(interval))])
        },
        ReviewCheck(
            id: "RE-11", pillar: .reliability, title: "Production traffic is not served by the embedded local model",
            principle:
                "Mitigate single points of failure: the embedded model is one process on this machine, for trying Pillar out",
            fix: "configure `deployments` (Azure OpenAI, OpenAI or an OpenAI-compatible server) and set `localModel.mode: off`"
        ) { inputs in
            let local = inputs.deployments.filter(\.local)
            guard !local.isEmpty else { return .pass(.process("local deployments", "none")) }
            let chatLocal = local.contains { $0.models.contains { $0 != inputs.configuration.retrieval.embeddingModel } }
            return .given(
                chatLocal ? .warn : .pass,
                local.map { .process("local deployment", "\($0.name): \($0.models.joined(separator: ", "))") })
        },
    ]
}
