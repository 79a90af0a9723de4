import Foundation
import PillarCore

extension ReviewCatalogue {
    static let security: [ReviewCheck] = [
        ReviewCheck(
            id: "SE-01", pillar: .security, title: "No inference or data route answers without credentials",
            principle: "Design to protect confidentiality: authenticate every request that reaches models or data",
            fix:
                "every route but health checks, the sign-in routes and the static page must sit behind the authentication middleware (a code defect if this fails)",
            waivable: false
        ) { inputs in
            // The sign-in routes are how a browser gets its credentials; they reach no model and no data.
            let allowed: Set<String> = [
                "/healthz", "/readyz", "/auth/session", "/auth/sign-in", "/auth/callback", "/auth/sign-out",
            ]
            let open = inputs.unauthenticatedRoutes.filter { !allowed.contains($0) }
            return .given(
                open.isEmpty ? .pass : .fail,
                [
                    .process(
                        "routes without authentication",
                        inputs.unauthenticatedRoutes.isEmpty ? "none" : inputs.unauthenticatedRoutes.joined(separator: ", "))
                ])
        },
        ReviewCheck(
            id: "SE-02", pillar: .security, title: "People sign in with an identity provider",
            principle:
                "Plan your security readiness: people authenticate with the organisation's identity provider, not shared keys",
            fix:
                "add an issuer under `oidc` (Microsoft Entra ID or another OpenID provider) and `signIn` naming it, so people sign in on the page; keep API keys for programs"
        ) { inputs in
            let issuers = inputs.configuration.oidc.map(\.issuer)
            let signIn = inputs.configuration.signIn
            return .given(
                signIn == nil ? .warn : .pass,
                [
                    .configuration("oidc", issuers.isEmpty ? "none" : issuers.joined(separator: ", ")),
                    .configuration("signIn", signIn.map { "\($0.issuer) as client \($0.clientId)" } ?? "none"),
                ])
        },
        ReviewCheck(
            id: "SE-03", pillar: .security, title: "API keys are rotated",
            principle: "Sustain and evolve your security posture: credentials have a lifetime",
            fix:
                "create a new key with `pillar keys create`, move clients to it, then `pillar keys revoke <old id>`; the period is `assurance.review.keyRotationDays`"
        ) { inputs in
            let limit = inputs.configuration.assurance.review.keyRotationDays * 86_400
            let keys = inputs.activeKeys
            guard !keys.isEmpty else { return .notApplicable(.database("active API keys", 0)) }
            let old = keys.filter { inputs.now - $0.createdAt > limit }
            let oldest = keys.map { inputs.now - $0.createdAt }.max() ?? 0
            return .given(
                old.isEmpty ? .pass : .fail,
                [
                    .database("active API keys", keys.count),
                    .database(
                        "older than the rotation period",
                        old.isEmpty ? "none" : old.map { "\($0.id) (\($0.tenant))" }.joined(separator: ", ")),
                    .database("oldest key", ReviewInputs.days(oldest)),
                    .configuration("assurance.review.keyRotationDays", format(limit / 86_400)),
                ])
        },
        ReviewCheck(
            id: "SE-04", pillar: .security, title: "No active key sits unused",
            principle: "Sustain and evolve your security posture: remove credentials nobody uses",
            fix: "revoke keys nobody uses with `pillar keys revoke <id>` (the period is `assurance.review.unusedKeyDays`)"
        ) { inputs in
            let limit = inputs.configuration.assurance.review.unusedKeyDays * 86_400
            let keys = inputs.activeKeys
            guard !keys.isEmpty else { return .notApplicable(.database("active API keys", 0)) }
            let idle = keys.filter { inputs.now - ($0.lastUsedAt ?? $0.createdAt) > limit }
            return .given(
                idle.isEmpty ? .pass : .warn,
                [
                    .database(
                        "unused for longer than \(format(limit / 86_400)) days",
                        idle.isEmpty ? "none" : idle.map(\.id).joined(separator: ", "))
                ])
        },
        ReviewCheck(
            id: "SE-05", pillar: .security, title: "The master key is not stored beside the data",
            principle:
                "Design to protect confidentiality: keys that decrypt the data live apart from it (a key vault, a mounted secret)",
            fix:
                "set `PILLAR_MASTER_KEY` or `PILLAR_MASTER_KEY_FILE` to a secret mounted outside the data directory, then `pillar keys rotate-master`"
        ) { inputs in
            let source = inputs.masterKeySource
            let dataDirectory = URL(fileURLWithPath: inputs.configuration.server.dataDirectory).standardized.path
            // An environment variable's name has no slash; a file's path is compared with the data directory's.
            let beside = source.contains("/") && URL(fileURLWithPath: source).standardized.path.hasPrefix(dataDirectory + "/")
            return .given(
                beside ? .fail : .pass,
                [
                    .process("master key source", source), .configuration("server.dataDirectory", dataDirectory),
                ])
        },
        ReviewCheck(
            id: "SE-06", pillar: .security, title: "Traffic is encrypted in transit",
            principle: "Design to protect confidentiality: encrypt data in transit end to end",
            fix:
                "give `server.tls` a certificate and key, or put Pillar behind a TLS-terminating load balancer or ingress and name it in `server.tlsTerminatedBy` (on 127.0.0.1 only this machine reaches plain HTTP)"
        ) { inputs in
            let server = inputs.configuration.server
            if let tls = server.tls {
                return .pass(.configuration("server.tls.certificateFile", tls.certificateFile))
            }
            if let proxy = server.tlsTerminatedBy {
                return .pass(.configuration("server.tlsTerminatedBy", proxy), .configuration("server.host", server.host))
            }
            let loopback = server.listensOnLoopbackOnly
            return .given(
                loopback ? .warn : .fail,
                [
                    .configuration("server.tlsTerminatedBy", "unset"), .configuration("server.host", server.host),
                ])
        },
        ReviewCheck(
            id: "SE-07", pillar: .security, title: "Metrics are not open to the network",
            principle: "Design to protect confidentiality: telemetry carries every tenant's labels",
            fix: "leave `server.metricsPort` unset (admins only) or bind `server.host` to a private network"
        ) { inputs in
            let server = inputs.configuration.server
            guard let port = server.metricsPort else {
                return .pass(.configuration("server.metricsPort", "unset: /metrics needs an admin of the default tenant"))
            }
            let loopback = server.listensOnLoopbackOnly
            return .given(
                loopback ? .pass : .warn,
                [.configuration("server.metricsPort", port), .configuration("server.host", server.host)])
        },
        ReviewCheck(
            id: "SE-08", pillar: .security, title: "Personal data is removed before storage",
            principle: "Design to protect confidentiality: minimise the personal data the workload keeps",
            fix: "set `safety.tenantDefault.pii.beforeStorage: true` (and for each tenant under `safety.tenants`)"
        ) { inputs in
            let policies = policies(inputs)
            let off = policies.filter { !$0.1.pii.beforeStorage }.map(\.0)
            return .given(
                off.isEmpty ? .pass : .fail,
                policies.map { .configuration("safety.\($0.0).pii.beforeStorage", $0.1.pii.beforeStorage) })
        },
        ReviewCheck(
            id: "SE-09", pillar: .security, title: "Personal data does not reach models unless intended",
            principle: "Design to protect confidentiality: decide what personal data a model may see",
            fix: "set `safety.tenantDefault.pii.beforeModel: true` to redact or refuse personal data in prompts"
        ) { inputs in
            let policies = policies(inputs)
            let off = policies.filter { !$0.1.pii.beforeModel }.map(\.0)
            return .given(
                off.isEmpty ? .pass : .warn,
                policies.map { .configuration("safety.\($0.0).pii.beforeModel", $0.1.pii.beforeModel) })
        },
        ReviewCheck(
            id: "SE-10", pillar: .security, title: "The content filter screens prompts and answers",
            principle: "Responsible AI: filter harmful content both ways",
            fix: "set `safety.tenantDefault.content.input` and `.output` to true"
        ) { inputs in
            let policies = policies(inputs)
            let off = policies.filter { !$0.1.content.input || !$0.1.content.output }.map(\.0)
            return .given(
                off.isEmpty ? .pass : .fail,
                policies.map {
                    .configuration("safety.\($0.0).content", "input \($0.1.content.input), output \($0.1.content.output)")
                })
        },
        ReviewCheck(
            id: "SE-11", pillar: .security, title: "Prompt shields are on",
            principle: "Design to protect integrity: guard against jailbreaks and instructions hidden in documents",
            fix: "set `safety.tenantDefault.shields.jailbreak: block` and `.injection: fence` (or drop/block)"
        ) { inputs in
            let policies = policies(inputs)
            let weak = policies.filter { $0.1.shields.jailbreak == .off || $0.1.shields.injection == .off }
            let flagOnly = policies.filter { $0.1.shields.jailbreak == .flag || $0.1.shields.injection == .flag }
            return .given(
                !weak.isEmpty ? .fail : flagOnly.isEmpty ? .pass : .warn,
                policies.map {
                    .configuration(
                        "safety.\($0.0).shields",
                        "jailbreak \($0.1.shields.jailbreak.rawValue), injection \($0.1.shields.injection.rawValue)")
                })
        },
        ReviewCheck(
            id: "SE-12", pillar: .security, title: "The audit chain verifies",
            principle: "Design to protect integrity: the record of administrative actions cannot be altered unseen",
            fix: "`pillar audit verify` names the first broken record; restore the database from a backup taken before it",
            waivable: false
        ) { inputs in
            guard let audit = inputs.audit else { return .fail(.database("audit chain", "could not be read")) }
            return .given(
                audit.isIntact ? .pass : .fail,
                [
                    .database("audit records", audit.events),
                    .database(
                        "chain", audit.isIntact ? "intact" : "broken at \(audit.firstBrokenSeq ?? 0): \(audit.problem ?? "")"),
                ])
        },
        ReviewCheck(
            id: "SE-13", pillar: .security, title: "The isolation probe passes",
            principle: "Design to protect confidentiality: prove continuously that no tenant or group reads another's documents",
            fix:
                "leave `assurance.isolationProbe.enabled: true`; a leak is a defect: see the probe's audit records (`isolation_probe.leak`)",
            waivable: false
        ) { inputs in
            let probe = inputs.configuration.assurance.isolationProbe
            guard probe.enabled else { return .fail(.configuration("assurance.isolationProbe.enabled", false)) }
            guard let run = inputs.latestProbe else {
                return .warn(
                    .database("newest probe round", "none yet"),
                    .configuration("assurance.isolationProbe.intervalSeconds", format(probe.intervalSeconds)))
            }
            let age = inputs.now - run.finishedAt
            var evidence: [ReviewEvidence] = [
                .database(
                    "newest probe round",
                    "\(run.id): \(run.status.rawValue), \(run.attempts) attempts over \(run.tenantsProbed) tenant\(run.tenantsProbed == 1 ? "" : "s"), \(Int(age)) s ago"
                )
            ]
            evidence += run.leaks.map { .database("leak", "\($0.canary) canary seen by tenant \($0.tenant) through \($0.path)") }
            evidence += run.problems.prefix(3).map { .database("problem", $0) }
            switch run.status {
            case .leaked: return .given(.fail, evidence)
            case .inconclusive: return .given(.warn, evidence)
            case .passed: return .given(age <= probe.intervalSeconds * 3 ? .pass : .warn, evidence)
            }
        },
        ReviewCheck(
            id: "SE-14", pillar: .security, title: "No test fault is injected",
            principle: "Maintain security assurance: the running build behaves as shipped",
            fix: "unset `PILLAR_TEST_FAULT` and restart",
            waivable: false
        ) { inputs in
            guard let fault = inputs.injectedFault else { return .pass(.environment("PILLAR_TEST_FAULT", "unset")) }
            return .fail(.environment("PILLAR_TEST_FAULT", fault))
        },
        ReviewCheck(
            id: "SE-15", pillar: .security, title: "Flows call only listed hosts",
            principle: "Design to protect integrity: tools reach only the systems they are meant to",
            fix: "list each host flows' http tools may call under `flows.allowedHosts`; remove any entry you do not need"
        ) { inputs in
            let hosts = inputs.configuration.flows.allowedHosts
            let broad = hosts.filter { $0.contains("*") }
            return .given(
                broad.isEmpty ? .pass : .warn,
                [
                    .configuration(
                        "flows.allowedHosts", hosts.isEmpty ? "none (flows call no hosts)" : hosts.joined(separator: ", "))
                ])
        },
        ReviewCheck(
            id: "SE-16", pillar: .security, title: "Request size and connections per client are capped",
            principle: "Design to protect availability: bound what one client can make the server hold",
            fix:
                "keep `server.maxBodyBytes` at 32 MiB or less and `server.maxConnectionsPerAddress` above 0 (0 only behind a proxy named in `server.tlsTerminatedBy`)"
        ) { inputs in
            let server = inputs.configuration.server
            let bodyOK = server.maxBodyBytes <= 32 * 1024 * 1024
            let connectionsOK = server.maxConnectionsPerAddress > 0 || server.tlsTerminatedBy != nil
            return .given(
                bodyOK && connectionsOK ? .pass : .warn,
                [
                    .configuration("server.maxBodyBytes", server.maxBodyBytes),
                    .configuration("server.maxConnectionsPerAddress", server.maxConnectionsPerAddress),
                ])
        },
        ReviewCheck(
            id: "SE-17", pillar: .security, title: "Few people hold admin keys",
            principle: "Plan your security readiness: least privilege for administration",
            fix: "revoke admin keys that programs do not need (`pillar keys list`, `pillar keys revoke`); give programs user keys"
        ) { inputs in
            var admins: [String: Int] = [:]
            for key in inputs.activeKeys where key.role == .admin { admins[key.tenant, default: 0] += 1 }
            let crowded = admins.filter { $0.value > 3 }
            return .given(
                crowded.isEmpty ? .pass : .warn, admins.keys.sorted().map { .database("admin keys of \($0)", admins[$0]!) })
        },
        ReviewCheck(
            id: "SE-18", pillar: .security, title: "Alert webhooks are signed",
            principle: "Design to protect integrity: receivers can tell a real alert from a forged one",
            fix: "give every entry of `monitoring.webhooks` a `secretEnv`"
        ) { inputs in
            let hooks = inputs.configuration.monitoring.webhooks
            guard !hooks.isEmpty else { return .notApplicable(.configuration("monitoring.webhooks", "none")) }
            let unsigned = hooks.filter { $0.secretEnv == nil }.map(\.name)
            return .given(
                unsigned.isEmpty ? .pass : .fail,
                [.configuration("monitoring.webhooks unsigned", unsigned.isEmpty ? "none" : unsigned.joined(separator: ", "))])
        },
        ReviewCheck(
            id: "SE-19", pillar: .security, title: "Conversations are kept no longer than needed",
            principle: "Design to protect confidentiality: a retention period for what users said",
            fix: "set `safety.tenantDefault.retentionDays` (and per tenant under `safety.tenants`)"
        ) { inputs in
            let policies = policies(inputs)
            let unset = policies.filter { $0.1.retentionDays == nil }.map(\.0)
            return .given(
                unset.isEmpty ? .pass : .warn,
                policies.map {
                    .configuration("safety.\($0.0).retentionDays", $0.1.retentionDays.map(format) ?? "unset (kept forever)")
                })
        },
        ReviewCheck(
            id: "SE-20", pillar: .security, title: "The remote content classifier fails closed",
            principle: "Design to protect integrity: a safety dependency that is down must not let content through",
            fix: "set `safety.remoteClassifier.failOpen: false`"
        ) { inputs in
            guard let remote = inputs.configuration.safety.remoteClassifier else {
                return .notApplicable(.configuration("safety.remoteClassifier", "unset: the local filters run"))
            }
            return .given(remote.failOpen ? .warn : .pass, [.configuration("safety.remoteClassifier.failOpen", remote.failOpen)])
        },
    ]

    /// The default safety policy and every tenant's own, by their configuration key.
    static func policies(_ inputs: ReviewInputs) -> [(String, PillarConfiguration.SafetyPolicy)] {
        let safety = inputs.configuration.safety
        return [("tenantDefault", safety.tenantDefault)]
            + safety.tenants.keys.sorted().map { ("tenants.\($0)", safety.tenants[$0]!) }
    }
}

extension PillarConfiguration.Server {
    /// Bound to a loopback address: only this machine can reach it.
    var listensOnLoopbackOnly: Bool { ["127.0.0.1", "localhost", "::1"].contains(host) }
}
