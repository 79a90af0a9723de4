import Hummingbird
import PillarCore

/// The context of every request: who the caller is, once the authentication middleware has said so.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
    }

    /// Bodies are read through `RequestBodyReader`, which applies the configured limit with a clear error.
    public var maxUploadSize: Int { .max }
}

/// The context of routes that need a caller. It can only be made from an authenticated context, so a
/// handler written against it cannot be reached anonymously.
public struct AuthenticatedContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal

    public init(context: AppRequestContext) throws {
        guard let principal = context.identity else {
            throw PillarHTTPError(.unauthenticated("Authentication is required.", code: "missing_credentials"))
        }
        self.coreContext = context.coreContext
        self.principal = principal
    }

    public var maxUploadSize: Int { .max }
}

/// Routes for the platform's admins (admins of the `default` tenant): what every tenant shares.
public struct PlatformAdminContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal

    public init(context: AppRequestContext) throws {
        let admin = try AdminContext(context: context)
        guard admin.principal.isPlatformAdmin else {
            throw PillarHTTPError(
                .permissionDenied(
                    "This is for the platform's admins (admins of the '\(Principal.platformTenant)' tenant)."))
        }
        self.coreContext = admin.coreContext
        self.principal = admin.principal
    }

    public var maxUploadSize: Int { .max }
}

/// Admin-only routes: made from an authenticated context whose principal has the admin role.
public struct AdminContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal

    public init(context: AppRequestContext) throws {
        let authenticated = try AuthenticatedContext(context: context)
        guard authenticated.principal.isAdmin else {
            throw PillarHTTPError(.permissionDenied("This needs the admin role."))
        }
        self.coreContext = authenticated.coreContext
        self.principal = authenticated.principal
    }

    public var maxUploadSize: Int { .max }
}
