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

    func addRoutes(to group: RouterGroup<AdminContext>) {
        group.post("keys", use: createKey)
        group.get("keys", use: listKeys)
        group.delete("keys/{id}", use: revokeKey)
        group.get("turns", use: listTurns)
        group.get("gateway", use: gatewayState)
        group.get("usage", use: usageReport)
        group.get("audit", use: auditEvents)
    }

    /// `GET /admin/usage?from=2026-11-01&to=2026-11-30&groupBy=day|model|key|deployment`: the tenant's
    /// requests, tokens and cost, UTC days, `to` included. Defaults: the last 30 days, by day.
    @Sendable func usageReport(_ request: Request, context: AdminContext) async throws -> Response {
        let query = request.uri.queryParameters
        let groupText = query.get("groupBy") ?? "day"
        guard let grouping = UsageGrouping(rawValue: groupText) else {
            throw PillarError.invalidRequest("groupBy must be one of day, model, key, deployment", param: "groupBy")
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
        let rows = try await usage.usage(tenant: context.principal.tenant, from: floor(from.timeIntervalSince1970 / 86_400) * 86_400,
                                         to: (floor(to.timeIntervalSince1970 / 86_400) + 1) * 86_400, groupBy: grouping)
        return try JSONResponse.make(["data": rows])
    }

    static var dayFormat: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }

    /// The deployments' live state. The gateway is shared by every tenant, so only the platform's
    /// administrators (admins of the `default` tenant) may see it.
    @Sendable func gatewayState(_ request: Request, context: AdminContext) async throws -> Response {
        guard context.principal.tenant == "default" else {
            throw PillarError.permissionDenied("The gateway's state is for admins of the default tenant.")
        }
        return try JSONResponse.make(["deployments": gateway.pool.snapshot()])
    }

    @Sendable func createKey(_ request: Request, context: AdminContext) async throws -> Response {
        let body = try await bodyReader.decode(CreateKey.self, from: request)
        let created = try await issuer.create(tenant: context.principal.tenant, name: body.name, role: body.role ?? .user)
        try await audit.append(tenant: context.principal.tenant, actor: context.principal.subject, action: "key.create",
                               target: created.record.id, details: ["role": created.record.role.rawValue, "name": created.record.name])
        return try JSONResponse.make(CreatedKey(key: created.record, secret: created.secret), status: .created)
    }

    @Sendable func listKeys(_ request: Request, context: AdminContext) async throws -> Response {
        try JSONResponse.make(["data": try await keys.listKeys(tenant: context.principal.tenant)])
    }

    @Sendable func revokeKey(_ request: Request, context: AdminContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard try await issuer.revoke(id: id, tenant: context.principal.tenant) else {
            throw PillarError.notFound("No key '\(id)' in this tenant.")
        }
        try await audit.append(tenant: context.principal.tenant, actor: context.principal.subject, action: "key.revoke",
                               target: id, details: [:])
        return Response(status: .noContent)
    }

    /// `GET /admin/audit?limit=100`: the tenant's audit events, newest first.
    @Sendable func auditEvents(_ request: Request, context: AdminContext) async throws -> Response {
        let limit = try QueryInteger.limit(of: request)
        return try JSONResponse.make(["data": try await audit.events(tenant: context.principal.tenant, limit: limit)])
    }

    @Sendable func listTurns(_ request: Request, context: AdminContext) async throws -> Response {
        let limit = try QueryInteger.limit(of: request)
        return try JSONResponse.make(["data": try await turns.listTurns(tenant: context.principal.tenant, limit: limit)])
    }
}
