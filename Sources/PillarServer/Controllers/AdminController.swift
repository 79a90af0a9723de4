import Foundation
import Hummingbird
import PillarCore
import PillarGateway

/// Tenant administration for callers with the admin role: API keys and the record of recent turns. An
/// admin acts within its own tenant only; other tenants are managed with `pillar keys … --tenant`.
struct AdminController: Sendable {
    let issuer: APIKeyIssuer
    let keys: any APIKeyRepository
    let turns: any TurnRepository
    let usage: any UsageReports
    let gateway: ModelGateway
    let audit: any AuditLog
    let chainCheck: AuditChainCheck
    let admission: AdmissionControl?
    let evaluationAdmission: AdmissionControl?
    let bodyReader: RequestBodyReader
    let defaultCompletionTokens: Int

    struct CreateKey: Decodable {
        var name: String
        var role: Role?
    }

    struct CreatedKey: Encodable {
        var key: APIKeyRecord
        /// Shown once, in this response only.
        var secret: String
    }

    /// `admin` is `/v1/admin` for the tenant's admins; `platform` the same path for the platform's admins.
    func addRoutes(to admin: RouterGroup<AdminContext>, platform: RouterGroup<PlatformAdminContext>) {
        admin.post("keys", use: createKey)
        admin.get("keys", use: listKeys)
        admin.delete("keys/{id}", use: revokeKey)
        admin.get("turns", use: listTurns)
        platform.get("gateway", use: gatewayState)
        admin.get("usage", use: usageReport)
        admin.get("audit", use: auditEvents)
        admin.get("audit/verification", use: auditVerification)
        admin.get("budgets", use: budgets)
    }

    /// `GET /v1/admin/usage?from=2026-11-01&to=2026-11-30&group_by=day|hour|model|key|deployment|purpose`: the
    /// tenant's requests, tokens, cost, latency and time to first token, UTC days, `to` included. Two groupings
    /// joined by a comma (`group_by=day,model`) give each pair its row. Defaults: the last 30 days, by day.
    @Sendable func usageReport(_ request: Request, context: AdminContext) async throws -> Response {
        let query = request.uri.queryParameters
        let page = try PageRequest(request)
        let groupText = query.get("group_by") ?? "day"
        let names = groupText.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let choices = UsageGrouping.allCases.map(\.rawValue).joined(separator: ", ")
        guard (1...2).contains(names.count), Set(names).count == names.count else {
            throw PillarError.invalidRequest(
                "group_by takes one grouping or two different ones joined by a comma, of: \(choices)", param: "group_by")
        }
        let grouping = try names.map { name in
            guard let grouping = UsageGrouping(rawValue: name) else {
                throw PillarError.invalidRequest("group_by must be one of \(choices)", param: "group_by")
            }
            return grouping
        }
        let now = Date()
        func day(_ name: String, fallback: Date) throws -> Date {
            guard let text = query.get(name) else { return fallback }
            guard let date = Self.dayFormat.date(from: text) else {
                throw PillarError.invalidRequest("\(name) must be a date as YYYY-MM-DD", param: name)
            }
            return date
        }
        let from = try day("from", fallback: now.addingTimeInterval(-30 * 86_400))
        let to = try day("to", fallback: now)
        guard from <= to else { throw PillarError.invalidRequest("from must not be after to", param: "from") }
        let rows = try await usage.usage(
            tenant: context.principal.tenant, from: floor(from.timeIntervalSince1970 / 86_400) * 86_400,
            to: (floor(to.timeIntervalSince1970 / 86_400) + 1) * 86_400, groupBy: grouping)
        return try JSONResponse.make(try page.page(rows) { $0.group })
    }

    static var dayFormat: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }

    /// The deployments' live state. The gateway is shared by every tenant, so only the platform's
    /// administrators may see it.
    @Sendable func gatewayState(_ request: Request, context: PlatformAdminContext) async throws -> Response {
        return try JSONResponse.make(["deployments": gateway.pool.snapshot()])
    }

    @Sendable func createKey(_ request: Request, context: AdminContext) async throws -> Response {
        let body = try await bodyReader.decode(CreateKey.self, from: request)
        let created = try await issuer.create(tenant: context.principal.tenant, name: body.name, role: body.role ?? .user)
        try await audit.append(
            tenant: context.principal.tenant, actor: context.principal.subject, action: "key.create",
            target: created.record.id, details: ["role": created.record.role.rawValue, "name": created.record.name])
        return try JSONResponse.make(CreatedKey(key: created.record, secret: created.secret), status: .created)
    }

    @Sendable func listKeys(_ request: Request, context: AdminContext) async throws -> Response {
        try JSONResponse.make(try PageRequest(request).page(try await keys.listKeys(tenant: context.principal.tenant)) { $0.id })
    }

    @Sendable func revokeKey(_ request: Request, context: AdminContext) async throws -> Response {
        let id = try context.parameters.require("id")
        // Revoking the key that asks would lock its holder out mid-session; another admin key or `pillar keys
        // revoke` can do it.
        if context.principal.method == .apiKey, context.principal.subject == id {
            throw PillarError(
                .conflict, code: "cannot_revoke_own_key",
                message: "A key cannot revoke itself; revoke it with another admin key or `pillar keys revoke`.")
        }
        guard try await issuer.revoke(id: id, tenant: context.principal.tenant) else {
            throw PillarError.notFound("No key '\(id)' in this tenant.")
        }
        try await audit.append(
            tenant: context.principal.tenant, actor: context.principal.subject, action: "key.revoke",
            target: id, details: [:])
        return Response(status: .noContent)
    }

    /// `GET /v1/admin/budgets`: every limit of the tenant, of its keys that have their own, and of its evaluation
    /// runs, with what is used, held by requests in flight, and left, from the counts that admit requests.
    @Sendable func budgets(_ request: Request, context: AdminContext) async throws -> Response {
        let tenant = context.principal.tenant
        var standings: [BudgetStanding] = []
        if let admission {
            let keyIDs = try await keys.listKeys(tenant: tenant).filter { $0.revokedAt == nil }.map(\.id)
            standings += try await admission.standing(tenant: tenant, keys: keyIDs)
        }
        if let evaluationAdmission {
            standings += try await evaluationAdmission.standing(tenant: tenant, keys: [], scope: "evaluation")
        }
        return try JSONResponse.make(BudgetsAnswer(data: standings, defaultCompletionTokens: defaultCompletionTokens))
    }

    struct BudgetsAnswer: Encodable {
        var data: [BudgetStanding]
        /// The reply cap a request without `max_tokens` gets where a budget applies.
        var defaultCompletionTokens: Int

        enum CodingKeys: String, CodingKey {
            case data
            case defaultCompletionTokens = "default_completion_tokens"
        }
    }

    /// `GET /v1/admin/audit/verification`: walks the whole chain (or answers the walk of the last few seconds) and
    /// says whether it holds. The chain is shared by every tenant, so a tenant's admin learns where it breaks only
    /// when the broken record is the tenant's own.
    @Sendable func auditVerification(_ request: Request, context: AdminContext) async throws -> Response {
        let checked = try await chainCheck.verify()
        let verification = checked.verification
        let mayLocate = context.principal.isPlatformAdmin || verification.firstBrokenTenant == context.principal.tenant
        return try JSONResponse.make(
            AuditVerificationAnswer(
                intact: verification.isIntact, events: verification.events,
                firstBrokenSeq: mayLocate ? verification.firstBrokenSeq : nil,
                problem: verification.isIntact
                    ? nil
                    : mayLocate
                        ? verification.problem
                        : "The chain does not hold at a record of another tenant; the platform's admins can see where.",
                verifiedAt: checked.verifiedAt.timeIntervalSince1970))
    }

    struct AuditVerificationAnswer: Encodable {
        var intact: Bool
        /// Records checked, of every tenant: each links to the one before it whoever wrote it.
        var events: Int
        var firstBrokenSeq: Int64?
        var problem: String?
        var verifiedAt: Double

        enum CodingKeys: String, CodingKey {
            case intact, events, problem
            case firstBrokenSeq = "first_broken_seq"
            case verifiedAt = "verified_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(intact, forKey: .intact)
            try container.encode(events, forKey: .events)
            try container.encode(firstBrokenSeq, forKey: .firstBrokenSeq)
            try container.encode(problem, forKey: .problem)
            try container.encode(verifiedAt, forKey: .verifiedAt)
        }
    }

    /// `GET /v1/admin/audit?limit=100&after=SEQ`: the tenant's audit events, newest first.
    @Sendable func auditEvents(_ request: Request, context: AdminContext) async throws -> Response {
        let page = try PageRequest(request)
        var before: Int64?
        if let after = page.after {
            guard let seq = Int64(after), seq > 0 else { throw PillarError.invalidCursor(after) }
            before = seq
        }
        let events = try await audit.events(tenant: context.principal.tenant, after: before, limit: page.fetchLimit)
        return try JSONResponse.make(page.page(fetched: events))
    }

    @Sendable func listTurns(_ request: Request, context: AdminContext) async throws -> Response {
        let page = try PageRequest(request)
        let turns = try await turns.listTurns(tenant: context.principal.tenant, after: page.after, limit: page.fetchLimit)
        return try JSONResponse.make(page.page(fetched: turns))
    }
}
