import Foundation
import Logging
import Metrics
import PillarCore
import PillarGateway
import PillarMonitoring
import PillarRetrieval

/// One round of the isolation probe: plant two canary documents with fresh unique words in the probe tenant
/// (one open to every member, one under the probe's ACL group), then look for those words as every other
/// tenant and as members outside the group, through the same search and flow paths users take. The probe's
/// own identities must find their canaries (else the round proves nothing and says so); anyone else finding
/// one is a leak: a critical alert and an audit record.
struct IsolationProbe: Sendable {
    let tenants: any TenantRepository
    let ingestor: Ingestor
    let retriever: Retriever
    /// Asks a flow as each tenant; nil when `askFlows` is off.
    let flows: FlowService?
    let flowName: String
    let flowTenantsPerRound: Int
    let store: any AssuranceRepository
    let audit: any AuditLog
    let alerts: AlertDispatcher
    let logger: Logger
    /// Tenants searched per round at most: beyond it, the rest wait for later rounds (taken in turn).
    static let maximumTenantsSearched = 10_000

    struct Canaries {
        var open: String
        var restricted: String

        var query: String { "\(open) \(restricted)" }

        /// Which canaries a text shows.
        func seen(in text: String) -> [String] {
            let lower = text.lowercased()
            return [(open, "open"), (restricted, "restricted")].filter { lower.contains($0.0) }.map(\.1)
        }
    }

    /// The probe's one caller: what it spends is metered to the probe tenant whatever tenant it searches as.
    static let caller = ModelGateway.Caller(tenant: ProbeTenant.id, subject: ProbeTenant.subject)

    func round(number: Int) async -> IsolationProbeRun {
        let started = Date().timeIntervalSince1970
        var attempts = 0
        var leaks: [IsolationProbeRun.Leak] = []
        var problems: [String] = []
        var probed = 0
        // Letters only, so the keyword index keeps each canary as one word.
        let canaries = Canaries(open: "pillarcanary" + Self.letters(12), restricted: "pillarcanary" + Self.letters(12))
        do {
            try await plant(canaries)
            // Controls: the probe tenant's member in the group sees both; one outside it sees the open one only.
            let inside = try await searched(
                canaries, scope: AccessScope(tenant: ProbeTenant.id, groups: [ProbeTenant.restrictedGroup]))
            if !(inside.contains("open") && inside.contains("restricted")) {
                problems.append(
                    "search: the probe tenant's member of \(ProbeTenant.restrictedGroup) did not find both canaries (found: \(inside.sorted().joined(separator: ", ")))"
                )
            }
            let outside = try await searched(canaries, scope: AccessScope(tenant: ProbeTenant.id, groups: []))
            attempts += 1
            if !outside.contains("open") { problems.append("search: the probe tenant's member did not find the open canary") }
            if outside.contains("restricted") {
                leaks.append(.init(path: "search", tenant: ProbeTenant.id, groups: [], canary: "restricted"))
            }
            let others = try await tenants.listTenants().map(\.id).filter { !ProbeTenant.isReserved($0) }
            let searchedTenants = Self.slice(others, count: Self.maximumTenantsSearched, round: number)
            for tenant in searchedTenants {
                for groups in [[], [ProbeTenant.restrictedGroup]] {
                    attempts += 1
                    for canary in try await searched(canaries, scope: AccessScope(tenant: tenant, groups: groups)).sorted() {
                        leaks.append(.init(path: "search", tenant: tenant, groups: groups, canary: canary))
                    }
                }
            }
            probed = searchedTenants.count
            if let flows {
                let (flowAttempts, flowLeaks, flowProblems) = await askFlows(
                    flows, canaries: canaries, tenants: others, round: number)
                attempts += flowAttempts
                leaks += flowLeaks
                problems += flowProblems
            }
        } catch {
            problems.append("the round stopped: \(PillarError.summary(of: error))")
        }
        let status: IsolationProbeRun.Status = !leaks.isEmpty ? .leaked : problems.isEmpty ? .passed : .inconclusive
        let run = IsolationProbeRun(
            id: "probe_" + RandomHex.make(bytes: 8), startedAt: started, finishedAt: Date().timeIntervalSince1970,
            status: status, attempts: attempts, tenantsProbed: probed, leaks: leaks, problems: problems)
        await report(run)
        return run
    }

    private func plant(_ canaries: Canaries) async throws {
        _ = try await tenants.ensureTenant(ProbeTenant.id)
        for (name, word, groups) in [
            ("open", canaries.open, [String]()), ("restricted", canaries.restricted, [ProbeTenant.restrictedGroup]),
        ] {
            let text = """
                # Isolation canary (\(name))

                The isolation probe planted this document. Its word \(word) must be found only by the probe's own identities.
                """
            _ = try await ingestor.ingest(
                .init(
                    sourceURI: "probe://canary/\(name)", title: "Isolation canary (\(name))", format: .markdown,
                    data: Data(text.utf8), aclGroups: groups),
                tenant: ProbeTenant.id, caller: Self.caller)
        }
    }

    /// The canaries a search as `scope` returns, through the retriever users' searches and flows use.
    private func searched(_ canaries: Canaries, scope: AccessScope) async throws -> Set<String> {
        let results = try await retriever.search(
            .init(text: canaries.query, mode: .hybrid, topK: 10), scope: scope, caller: Self.caller)
        return Set(results.flatMap { canaries.seen(in: $0.hit.text) })
    }

    private func askFlows(_ flows: FlowService, canaries: Canaries, tenants: [String], round: Int) async
        -> (Int, [IsolationProbeRun.Leak], [String])
    {
        var attempts = 0
        var leaks: [IsolationProbeRun.Leak] = []
        var problems: [String] = []
        func ask(tenant: String, groups: [String]) async throws -> Set<String> {
            let principal = Principal(
                tenant: tenant, subject: ProbeTenant.subject, roles: [.user], groups: groups, method: .apiKey)
            let question = FlowService.Question(
                flow: flowName, label: nil, text: "What do the documents say about \(canaries.query)?",
                history: [], principal: principal, conversationID: nil,
                stickyKey: "isolation-probe/\(round)/\(tenant)")
            let resolved = try await flows.resolve(question)
            let answer = try await flows.answer(question, flow: resolved, streaming: nil)
            // What the flow was given, not what the model wrote: a model may repeat the question's words.
            return Set(answer.sources.flatMap { canaries.seen(in: $0.text) })
        }
        do {
            let control = try await ask(tenant: ProbeTenant.id, groups: [ProbeTenant.restrictedGroup])
            if !(control.contains("open") && control.contains("restricted")) {
                problems.append(
                    "flow \(flowName): the probe tenant's member of \(ProbeTenant.restrictedGroup) was not given both canaries")
            }
            attempts += 1
            if try await ask(tenant: ProbeTenant.id, groups: []).contains("restricted") {
                leaks.append(.init(path: "flow", tenant: ProbeTenant.id, groups: [], canary: "restricted"))
            }
        } catch {
            problems.append("flow \(flowName) as the probe tenant: \(PillarError.summary(of: error))")
            return (attempts, leaks, problems)
        }
        for tenant in Self.slice(tenants, count: flowTenantsPerRound, round: round) {
            attempts += 1
            do {
                for canary in try await ask(tenant: tenant, groups: []).sorted() {
                    leaks.append(.init(path: "flow", tenant: tenant, groups: [], canary: canary))
                }
            } catch {
                problems.append("flow \(flowName) as tenant \(tenant): \(PillarError.summary(of: error))")
            }
        }
        return (attempts, leaks, problems)
    }

    private func report(_ run: IsolationProbeRun) async {
        Gauge(label: "pillar_isolation_probe_status").record(run.status == .passed ? 0 : run.status == .inconclusive ? 1 : 2)
        Counter(label: "pillar_isolation_probe_rounds_total", dimensions: [("status", run.status.rawValue)]).increment()
        do {
            try await store.saveProbeRun(run)
        } catch {
            logger.error("isolation probe round could not be saved", metadata: ["error": "\(PillarError.summary(of: error))"])
        }
        switch run.status {
        case .passed:
            logger.info(
                "isolation probe passed",
                metadata: ["round": "\(run.id)", "attempts": "\(run.attempts)", "tenants": "\(run.tenantsProbed)"])
        case .inconclusive:
            logger.warning(
                "isolation probe inconclusive",
                metadata: ["round": "\(run.id)", "problems": "\(run.problems.joined(separator: " | "))"])
        case .leaked:
            for leak in run.leaks {
                logger.critical(
                    "isolation probe found a leak",
                    metadata: [
                        "round": "\(run.id)", "path": "\(leak.path)", "tenant": "\(leak.tenant)", "canary": "\(leak.canary)",
                    ])
                do {
                    try await audit.append(
                        tenant: leak.tenant, actor: "system:isolation-probe", action: "isolation_probe.leak",
                        target: run.id,
                        details: [
                            "path": leak.path, "canary": leak.canary,
                            "groups": leak.groups.joined(separator: ","),
                        ])
                } catch {
                    logger.error("isolation leak could not be audited", metadata: ["error": "\(PillarError.summary(of: error))"])
                }
            }
            let tenants = Set(run.leaks.map(\.tenant)).sorted()
            _ = alerts.enqueue(
                AlertEvent(
                    id: "alert_" + RandomHex.make(bytes: 8), kind: .isolationLeak, dedupKey: "isolation-probe/\(run.id)",
                    tenant: ProbeTenant.id, occurredAt: Date(timeIntervalSince1970: run.finishedAt), severity: "critical",
                    summary:
                        "Isolation probe \(run.id): \(run.leaks.count) identities saw canary documents they must not (tenants \(tenants.joined(separator: ", ")))",
                    details: [
                        "round": run.id, "leaks": "\(run.leaks.count)", "tenants": tenants.joined(separator: ","),
                        "paths": Set(run.leaks.map(\.path)).sorted().joined(separator: ","),
                    ]))
        }
    }

    /// Up to `count` of `items`, starting where the previous round stopped, so every tenant's turn comes.
    static func slice(_ items: [String], count: Int, round: Int) -> [String] {
        guard !items.isEmpty, count > 0 else { return [] }
        guard items.count > count else { return items }
        let start = (round * count) % items.count
        return (0..<count).map { items[(start + $0) % items.count] }
    }

    static func letters(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next() % 26)] })
    }
}
