import Foundation
import Hummingbird
import PillarCore
import PillarMonitoring

/// `/v1/admin/monitors`: the monitors in force, where each stands per tenant, flow and label, their latest
/// transitions, and a test alert through the configured webhooks. A tenant's admins see their own tenant's
/// scopes; the platform's (the `default` tenant's) see every tenant's and may send test alerts.
struct MonitorsController: Sendable {
    let board: MonitorBoard
    let monitors: [MonitorSpec]
    let alerts: AlertDispatcher

    struct TestRequest: Decodable {
        var webhook: String?
    }

    struct TestResult: Encodable {
        var event: String
        var deliveries: [AlertDispatcher.DeliveryResult]
    }

    /// `platform` is the same path for the platform's admins: webhooks belong to the platform.
    func addRoutes(to group: RouterGroup<AdminContext>, platform: RouterGroup<PlatformAdminContext>) {
        group.get("", use: list)
        group.get("{name}", use: show)
        platform.post("{name}/test", use: test)
    }

    /// Nil for the platform's admins: every tenant.
    static func visibleTenant(_ principal: Principal) -> String? {
        principal.isPlatformAdmin ? nil : principal.tenant
    }

    func report(_ spec: MonitorSpec, principal: Principal, withTransitions: Bool) -> MonitorReport {
        MonitorReport(spec: spec, board: board, tenant: Self.visibleTenant(principal), withTransitions: withTransitions)
    }

    func visible(_ spec: MonitorSpec, _ principal: Principal) -> Bool {
        guard let tenant = Self.visibleTenant(principal) else { return true }
        return spec.tenant == nil || spec.tenant == tenant
    }

    func spec(named name: String, _ principal: Principal) throws -> MonitorSpec {
        guard let spec = monitors.first(where: { $0.name == name }), visible(spec, principal) else {
            throw PillarError.notFound("There is no monitor named '\(name.prefix(80))'.")
        }
        return spec
    }

    @Sendable func list(_ request: Request, context: AdminContext) async throws -> Response {
        let reports = monitors.filter { visible($0, context.principal) }
            .map { report($0, principal: context.principal, withTransitions: false) }
        let page = try PageRequest(request).page(reports) { $0.spec.name }
        return try JSONResponse.snakeCased(
            MonitorReport.Listing(data: page.data, hasMore: page.hasMore, evaluatedAt: board.evaluatedAt))
    }

    @Sendable func show(_ request: Request, context: AdminContext) async throws -> Response {
        let spec = try spec(named: try context.parameters.require("name"), context.principal)
        return try JSONResponse.snakeCased(report(spec, principal: context.principal, withTransitions: true))
    }

    /// Sends a test alert for the monitor through the webhooks now, whatever its state, and reports each
    /// delivery: how an operator checks a receiver and its signature before relying on it.
    @Sendable func test(_ request: Request, context: PlatformAdminContext) async throws -> Response {
        let spec = try spec(named: try context.parameters.require("name"), context.principal)
        let body = try await RequestBodyReader(maxBytes: 4096).decodeIfPresent(TestRequest.self, from: request)
        let event = AlertEvent(
            id: RandomHex.make(bytes: 12), kind: .test, dedupKey: "test:\(spec.name)", tenant: context.principal.tenant,
            occurredAt: Date(), severity: "info",
            summary: "Test alert for monitor \(spec.name) (\(spec.signal.rawValue)), sent by \(context.principal.subject)",
            details: ["monitor": spec.name, "signal": spec.signal.rawValue])
        let deliveries = await alerts.sendNow(event, to: body?.webhook)
        return try JSONResponse.snakeCased(TestResult(event: event.id, deliveries: deliveries))
    }
}
