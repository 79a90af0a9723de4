import Foundation

extension ReviewCatalogue {
    static let operations: [ReviewCheck] = [
        ReviewCheck(
            id: "OE-01", pillar: .operations, title: "Each evaluated flow has a recent baseline",
            principle: "Evaluate and monitor models: every change is compared with a known-good run",
            fix:
                "run `pillar eval run --dataset D` on the production label, then `pillar eval baseline <run>`; the age limit is `assurance.review.baselineMaxAgeDays`"
        ) { inputs in
            let limit = inputs.configuration.assurance.review.baselineMaxAgeDays * 86_400
            guard !inputs.baselines.isEmpty else { return .warn(.database("evaluation baselines", "none")) }
            let stale = inputs.baselines.filter { inputs.now - $0.setAt > limit }
            return .given(
                stale.isEmpty ? .pass : .warn,
                inputs.baselines.map {
                    .database(
                        "baseline \($0.dataset) × \($0.flow)",
                        "run \($0.runID), set \(ReviewInputs.days(inputs.now - $0.setAt)) ago")
                })
        },
        ReviewCheck(
            id: "OE-02", pillar: .operations, title: "Production promotions need a passing evaluation gate",
            principle: "Deploy with confidence: a prompt or flow reaches production only after its evaluation passes",
            fix: "set `promotion.tenantDefault.requireEval: true`"
        ) { inputs in
            let promotion = inputs.configuration.promotion
            let off = promotion.tenants.filter { !$0.value.requireEval }.keys.sorted()
            let status: ReviewStatus = promotion.tenantDefault.requireEval && off.isEmpty ? .pass : .fail
            return .given(
                status,
                [
                    .configuration("promotion.tenantDefault.requireEval", promotion.tenantDefault.requireEval),
                    .configuration("tenants without requireEval", off.isEmpty ? "none" : off.joined(separator: ", ")),
                ])
        },
        ReviewCheck(
            id: "OE-03", pillar: .operations, title: "Canaries are analysed and rolled back automatically",
            principle: "Deploy with confidence: progressive exposure with automatic rollback",
            fix:
                "keep `monitoring.enabled: true` and start canaries with `POST /v1/{prompts|flows}/{name}/labels/{label}/analysis`"
        ) { inputs in
            let monitoring = inputs.configuration.monitoring
            guard monitoring.enabled else { return .fail(.configuration("monitoring.enabled", false)) }
            let canary = monitoring.canary
            return .given(
                canary.failureLimit >= 1 && !canary.steps.isEmpty ? .pass : .warn,
                [
                    .configuration("monitoring.canary.steps", canary.steps.map(String.init).joined(separator: ", ")),
                    .configuration("monitoring.canary.minimumSamples", canary.minimumSamples),
                ])
        },
        ReviewCheck(
            id: "OE-04", pillar: .operations, title: "Quality monitors are configured",
            principle: "Evaluate and monitor models: watch groundedness, relevance, refusals and latency in production",
            fix:
                "keep `monitoring.enabled: true` with `monitoring.sampling.rate` above 0 (the default monitors apply unless `monitoring.monitors` replaces them)"
        ) { inputs in
            let monitoring = inputs.configuration.monitoring
            guard monitoring.enabled else { return .fail(.configuration("monitoring.enabled", false)) }
            let count = monitoring.monitors?.count ?? 8
            let status: ReviewStatus = count == 0 ? .fail : monitoring.sampling.rate > 0 ? .pass : .warn
            return .given(
                status,
                [
                    .configuration("monitoring.monitors", monitoring.monitors == nil ? "the 8 defaults" : "\(count) configured"),
                    .configuration("monitoring.sampling.rate", format(monitoring.sampling.rate)),
                ])
        },
        ReviewCheck(
            id: "OE-05", pillar: .operations, title: "Alerts reach people",
            principle: "Evolve operations with observability: alerts go where someone acts on them, not only into the log",
            fix:
                "add a receiver under `monitoring.webhooks` (try it with `pillar monitors test`) or load `deploy/prometheus/pillar-alerts.yml` into Prometheus"
        ) { inputs in
            let hooks = inputs.configuration.monitoring.webhooks
            return .given(
                hooks.isEmpty ? .warn : .pass,
                [
                    .configuration(
                        "monitoring.webhooks",
                        hooks.isEmpty ? "none (alerts go to the log)" : hooks.map(\.name).joined(separator: ", "))
                ])
        },
        ReviewCheck(
            id: "OE-06", pillar: .operations, title: "No quality monitor is alerting",
            principle: "Evaluate and monitor models: act on degraded answers",
            fix: "`pillar monitors list` and `pillar monitors show <name>` show which tenant, flow and label, and since when"
        ) { inputs in
            guard inputs.configuration.monitoring.enabled else {
                return .notApplicable(.configuration("monitoring.enabled", false))
            }
            let alerting = inputs.monitorStates.filter { $0.value == "alert" }.keys.sorted()
            let warning = inputs.monitorStates.filter { $0.value == "warning" }.keys.sorted()
            return .given(
                !alerting.isEmpty ? .fail : !warning.isEmpty ? .warn : .pass,
                [
                    .database("monitor scopes", inputs.monitorStates.count),
                    .database("alerting", alerting.isEmpty ? "none" : alerting.prefix(5).joined(separator: ", ")),
                    .database("warning", warning.isEmpty ? "none" : warning.prefix(5).joined(separator: ", ")),
                ])
        },
        ReviewCheck(
            id: "OE-07", pillar: .operations, title: "Query drift is detected",
            principle: "Evaluate and monitor models: notice when users start asking about something the data does not cover",
            fix: "set `monitoring.drift.enabled: true`"
        ) { inputs in
            let monitoring = inputs.configuration.monitoring
            return .given(
                monitoring.enabled && monitoring.drift.enabled ? .pass : .warn,
                [
                    .configuration("monitoring.drift.enabled", monitoring.drift.enabled)
                ])
        },
        ReviewCheck(
            id: "OE-08", pillar: .operations, title: "Answers are re-evaluated on a schedule",
            principle:
                "Evaluate and monitor models: catch slow decay (a model or its data changing underneath) against a baseline",
            fix: "add a schedule under `monitoring.decay` (dataset, flow, label, everySeconds, gate)"
        ) { inputs in
            let decay = inputs.configuration.monitoring.decay
            return .given(
                decay.isEmpty ? .warn : .pass,
                [
                    .configuration(
                        "monitoring.decay",
                        decay.isEmpty ? "none" : decay.map { "\($0.dataset) on \($0.flow)@\($0.label)" }.joined(separator: ", "))
                ])
        },
        ReviewCheck(
            id: "OE-09", pillar: .operations, title: "Traces, metrics and logs leave the process",
            principle: "Evolve operations with observability: telemetry goes to a system that keeps it",
            fix:
                "set `OTEL_EXPORTER_OTLP_ENDPOINT` (traces, metrics and logs over OTLP), or `server.metricsPort` for a Prometheus scraper"
        ) { inputs in
            if let endpoint = inputs.otlpEndpoint { return .pass(.environment("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)) }
            // A port of its own for /metrics exists for a scraper; without either, telemetry stays in this process's logs.
            if let port = inputs.configuration.server.metricsPort {
                return .pass(.environment("OTEL_EXPORTER_OTLP_ENDPOINT", "unset"), .configuration("server.metricsPort", port))
            }
            return .warn(.environment("OTEL_EXPORTER_OTLP_ENDPOINT", "unset"), .configuration("server.metricsPort", "unset"))
        },
        ReviewCheck(
            id: "OE-10", pillar: .operations, title: "Logs are structured",
            principle: "Establish development standards: machine-readable logs with trace ids",
            fix: "set `server.logFormat: json` (or `PILLAR_SERVER_LOG_FORMAT=json`)"
        ) { inputs in
            let format = inputs.configuration.server.logFormat
            return .given(format == .json ? .pass : .warn, [.configuration("server.logFormat", format.rawValue)])
        },
        ReviewCheck(
            id: "OE-11", pillar: .operations, title: "Grounding data is loaded",
            principle: "Ground the model in the organisation's data: a copilot without documents answers from the model alone",
            fix: "add documents with `pillar ingest DIR` or `POST /v1/documents`"
        ) { inputs in
            .given(inputs.documentCount > 0 ? .pass : .warn, [.database("documents (all tenants)", inputs.documentCount)])
        },
    ]
}
