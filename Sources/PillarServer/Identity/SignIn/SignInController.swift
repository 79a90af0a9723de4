import Foundation
import HTTPTypes
import Hummingbird
import PillarCore

/// The browser's way in: `/auth/sign-in` sends it to the identity provider, `/auth/callback` takes it back and
/// starts a session, `/auth/session` tells the pages who is signed in (and the CSRF token), `/auth/sign-out`
/// ends it. `GET /v1/me` answers who the caller is, however they authenticated.
struct SignInController {
    let service: SignInService?

    struct SessionState: Encodable {
        var signedIn: Bool
        /// Where to start signing in; nil when sign-in is not configured.
        var signInURL: String?
        var csrfToken: String?
        /// Seconds since 1970: when the session ends at the latest.
        var expiresAt: Double?
        var principal: Me?

        enum CodingKeys: String, CodingKey {
            case signedIn = "signed_in"
            case signInURL = "sign_in_url"
            case csrfToken = "csrf_token"
            case expiresAt = "expires_at"
            case principal
        }
    }

    struct SignedOut: Encodable {
        /// Where the browser goes to sign out at the identity provider too; nil when it offers no such page.
        var endSessionURL: String?

        enum CodingKeys: String, CodingKey { case endSessionURL = "end_session_url" }
    }

    /// Who the caller is: `GET /v1/me`, and the person of a signed-in session.
    struct Me: Encodable {
        var tenant: String
        var subject: String
        var roles: [String]
        var groups: [String]
        var method: String

        init(_ principal: Principal) {
            tenant = principal.tenant
            subject = principal.subject
            roles = principal.roles.map(\.rawValue).sorted()
            groups = principal.groups
            method = principal.method.rawValue
        }
    }

    /// Before authentication: these routes are how a browser gets its credentials.
    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("auth/session", use: sessionState)
        router.get("auth/sign-in", use: signIn)
        router.get("auth/callback", use: callback)
        router.post("auth/sign-out", use: signOut)
    }

    func addIdentityRoute(to v1: RouterGroup<AuthenticatedContext>) {
        v1.get("me", use: me)
    }

    private func configured() throws -> SignInService {
        guard let service else {
            throw PillarError(
                .notFound, code: "sign_in_not_configured",
                message: "Signing in through the browser is not configured (signIn); use an API key.")
        }
        return service
    }

    @Sendable func sessionState(_ request: Request, context: AppRequestContext) async throws -> Response {
        let signedOut = SessionState(signedIn: false, signInURL: service == nil ? nil : "/auth/sign-in")
        guard let service, let id = SessionCookies.value(SessionCookies.session, in: request) else {
            return try Self.noStore(JSONResponse.make(signedOut))
        }
        let session: SignInSession
        do {
            session = try await service.session(id: id)
        } catch let error as PillarError where error.code == "session_expired" {
            var response = try Self.noStore(JSONResponse.make(signedOut))
            response.headers[.setCookie] = SessionCookies.clear(SessionCookies.session)
            return response
        }
        return try Self.noStore(
            JSONResponse.make(
                SessionState(
                    signedIn: true, signInURL: "/auth/sign-in", csrfToken: session.csrfToken,
                    expiresAt: session.expiresAt.timeIntervalSince1970, principal: Me(session.principal))))
    }

    /// `GET /auth/sign-in?return_to=/path`: to the identity provider, with a fresh state, nonce and PKCE challenge.
    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let service = try configured()
        let (location, state) = try await service.begin(returnTo: request.uri.queryParameters.get("return_to"))
        var response = Response(status: .found)
        response.headers[.location] = location
        response.headers[.setCookie] = SessionCookies.set(
            SessionCookies.signIn, state, maxAgeSeconds: Int(SignInService.pendingLifetime))
        return Self.noStore(response)
    }

    /// `GET /auth/callback?code=…&state=…`: the provider's answer. A session starts, and the browser goes back to
    /// where it set out from.
    @Sendable func callback(_ request: Request, context: AppRequestContext) async throws -> Response {
        let service = try configured()
        let query = request.uri.queryParameters
        let started = try await service.complete(
            code: query.get("code"), state: query.get("state"), providerError: query.get("error"),
            stateCookie: SessionCookies.value(SessionCookies.signIn, in: request))
        var response = Response(status: .seeOther)
        response.headers[.location] = started.returnTo
        response.headers.append(
            HTTPField(
                name: .setCookie,
                value: SessionCookies.set(
                    SessionCookies.session, started.sessionID,
                    maxAgeSeconds: Int(started.session.expiresAt.timeIntervalSince(started.session.createdAt)))))
        response.headers.append(HTTPField(name: .setCookie, value: SessionCookies.clear(SessionCookies.signIn)))
        return Self.noStore(response)
    }

    /// `POST /auth/sign-out` with the session's `X-CSRF-Token`: the session ends, and the answer names the
    /// provider's sign-out page for the browser to visit.
    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        var endSession: String?
        if let service, let id = SessionCookies.value(SessionCookies.session, in: request) {
            endSession = try await service.signOut(id: id, csrfToken: request.headers[.csrfToken])
        }
        var response = try JSONResponse.make(SignedOut(endSessionURL: endSession))
        response.headers[.setCookie] = SessionCookies.clear(SessionCookies.session)
        return Self.noStore(response)
    }

    @Sendable func me(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try JSONResponse.make(Me(context.principal))
    }

    static func noStore(_ response: Response) -> Response {
        var response = response
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
