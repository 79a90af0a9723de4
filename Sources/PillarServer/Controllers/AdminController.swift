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
    let bodyReader: RequestBodyReader

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
    }

    /// `GET /v1/admin/usage?from=2026-11-01&to=2026-11-30&group_by=day|model|key|deployment|purpose`: the tenant's
    /// requests, tokens and cost, UTC days, `to` included. Defaults: the last 30 days, by day.
    @Sendable func usageReport(_ request: Request, context: AdminContext) async throws -> Response {
        let query = request.uri.queryParameters
        let page = try PageRequest(request)
        let groupText = query.get("group_by") ?? "day"
        guard let grouping = UsageGrouping(rawValue: groupText) else {
            throw PillarError.invalidRequest(
                "group_by must be one of \(UsageGrouping.allCases.map(\.rawValue).joined(separator: ", "))", param: "group_by")
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
