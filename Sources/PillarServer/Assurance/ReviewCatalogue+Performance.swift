import Foundation

extension ReviewCatalogue {
    static let performance: [ReviewCheck] = [
        ReviewCheck(
            id: "PE-01", pillar: .performance, title: "Load tested at the expected rate",
            principle: "Test early and often: prove the workload sustains its expected rate before users bring it",
            fix:
                "set `assurance.review.expectedRequestsPerSecond` and run `pillar-load … --record` at that rate (within `assurance.review.loadTestMaxAgeDays`)"
        ) { inputs in
            let review = inputs.configuration.assurance.review
            guard let expected = review.expectedRequestsPerSecond else {
                return .warn(.configuration("assurance.review.expectedRequestsPerSecond", "unset"))
            }
            let recent = inputs.loadTests.filter { inputs.now - $0.at <= review.loadTestMaxAgeDays * 86_400 }
            let best = recent.filter { $0.errorRate <= 0.01 }.max { $0.requestsPerSecond < $1.requestsPerSecond }
            var evidence: [ReviewEvidence] = [.configuration("assurance.review.expectedRequestsPerSecond", format(expected))]
            guard let best else {
                evidence.append(.database("load tests within \(format(review.loadTestMaxAgeDays)) days with ≤ 1% errors", "none"))
                return .given(.fail, evidence)
            }
            evidence.append(
                .database(
                    "best recent load test",
                    String(
                        format: "%.1f req/s, p95 %.0f ms, %.2f%% errors, %@ (%@)",
                        best.requestsPerSecond, best.p95Ms, best.errorRate * 100,
                        best.tool, ReviewInputs.days(inputs.now - best.at) + " ago")))
            return .given(best.requestsPerSecond >= expected ? .pass : .fail, evidence)
        },
        ReviewCheck(
            id: "PE-02", pillar: .performance, title: "Users' latency is within target",
            principle: "Achieve and sustain performance: measure latency against a target",
            fix:
                "find the slow deployment in `GET /v1/admin/usage?group_by=deployment`; raise capacity, or set `assurance.review.latencyP95TargetMs` to the agreed target"
        ) { inputs in
            let target = inputs.configuration.assurance.review.latencyP95TargetMs
            guard let p95 = inputs.traffic.latencyP95Ms else {
                return .notApplicable(.database("users' model calls in the last 24 h", 0))
            }
            var evidence: [ReviewEvidence] = [
                .database("p95 latency over 24 h", String(format: "%.0f ms", p95)),
                .configuration("assurance.review.latencyP95TargetMs", format(target)),
            ]
            if let ttft = inputs.traffic.timeToFirstTokenP95Ms {
                evidence.append(.database("p95 time to first token", String(format: "%.0f ms", ttft)))
            }
            return .given(p95 <= target ? .pass : p95 <= target * 2 ? .warn : .fail, evidence)
        },
        ReviewCheck(
            id: "PE-03", pillar: .performance, title: "Upstream connections are not the bottleneck",
            principle: "Design to meet capacity requirements: connection pools sized for the concurrency deployments allow",
            fix: "raise `gateway.connectionsPerHost` to at least the largest deployment `maxInFlight` (and 64 or more)"
        ) { inputs in
            let connections = inputs.configuration.gateway.connectionsPerHost
            let largest = inputs.deployments.compactMap(\.maxInFlight).max() ?? 0
            return .given(
                connections >= max(64, largest) ? .pass : .warn,
                [
                    .configuration("gateway.connectionsPerHost", connections),
                    .process("largest deployment maxInFlight", largest == 0 ? "none set" : String(largest)),
                ])
        },
        ReviewCheck(
            id: "PE-04", pillar: .performance, title: "Hybrid retrieval is on",
            principle:
                "Improve efficiency through optimization: keyword and vector search together find more of the right passages",
            fix: "keep `retrieval.keywordWeight` and `retrieval.vectorWeight` above 0"
        ) { inputs in
            let retrieval = inputs.configuration.retrieval
            return .given(
                retrieval.keywordWeight > 0 && retrieval.vectorWeight > 0 ? .pass : .warn,
                [
                    .configuration("retrieval.keywordWeight", format(retrieval.keywordWeight)),
                    .configuration("retrieval.vectorWeight", format(retrieval.vectorWeight)),
                ])
        },
        ReviewCheck(
            id: "PE-05", pillar: .performance, title: "Queues are bounded",
            principle:
                "Design to meet capacity requirements: refuse early (503 with Retry-After) rather than queue without limit",
            fix: "keep `gateway.queueTimeoutMs` at 10000 or less"
        ) { inputs in
            let wait = inputs.configuration.gateway.queueTimeoutMs
            return .given(wait <= 10_000 ? .pass : .warn, [.configuration("gateway.queueTimeoutMs", wait)])
        },
        ReviewCheck(
            id: "PE-06", pillar: .performance, title: "The conversation window is bounded",
            principle: "Improve efficiency through optimization: send the model only the history it needs",
            fix: "keep `flows.historyTokens` at 4000 or less"
        ) { inputs in
            let tokens = inputs.configuration.flows.historyTokens
            return .given(tokens <= 4_000 ? .pass : .warn, [.configuration("flows.historyTokens", tokens)])
        },
    ]
}
