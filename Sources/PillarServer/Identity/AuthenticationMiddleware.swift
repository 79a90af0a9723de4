import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PillarCore
import Tracing

/// Finds the caller: an API key (`Authorization: Bearer pk-…` for OpenAI SDKs, or `api-key:` for Azure
/// clients), an OIDC bearer JWT, or, with neither header, a browser's session cookie. No credentials, or bad ones,
/// end the request with 401.
///
/// The cookie is sent by the browser on its own, so a request that changes something with it must also carry
/// the session's CSRF token in `X-CSRF-Token`, which another site's page cannot read. Headers are attached on
/// purpose by a program and need no such token.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let apiKeys: APIKeyIssuer
    let verifiers: [OIDCVerifier]
    let tenants: TenantEnrolment
    let signIn: SignInService?
    static let safeMethods: Set<HTTPRequest.Method> = [.get, .head, .options]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        let principal = try await withSpan("authenticate") { span in
            let principal = try await authenticate(request)
            span.attributes["pillar.auth.method"] = principal.method.rawValue
            span.attributes["pillar.tenant"] = principal.tenant
            return principal
        }
        context.identity = principal
        context.logger[metadataKey: "tenant"] = .string(principal.tenant)
        context.logger[metadataKey: "subject"] = .string(principal.subject)
        return try await next(request, context)
    }

    func authenticate(_ request: Request) async throws -> Principal {
        let credential: String
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw PillarError.unauthenticated(
                    "The Authorization header must be 'Bearer <token>'.", code: "invalid_authorization")
            }
            credential = parts[1].trimmingCharacters(in: .whitespaces)
        } else if let key = request.headers[.apiKey] {
            credential = key.trimmingCharacters(in: .whitespaces)
        } else if let signIn, let id = SessionCookies.value(SessionCookies.session, in: request) {
            let session = try await signIn.session(id: id)
            if !Self.safeMethods.contains(request.method) {
                guard let token = request.headers[.csrfToken], SignInService.constantTimeEqual(token, session.csrfToken)
                else { throw SignInService.csrfRefused }
            }
            return session.principal
        } else {
            throw PillarError.unauthenticated(
                "Authentication is required: send an API key as 'Authorization: Bearer <key>' or 'api-key: <key>', or an OIDC bearer token.",
                code: "missing_credentials")
        }
        // Empty segments count: `header.payload.` (an unsigned token) is a JWT to refuse as one, not an API key.
        if credential.split(separator: ".", omittingEmptySubsequences: false).count == 3,
            !credential.hasPrefix(APIKeyIssuer.keyPrefix)
        {
            return try await verifyJWT(credential)
        }
        guard let principal = try await apiKeys.authenticate(credential) else {
            throw PillarError.unauthenticated("The API key is not valid or has been revoked.")
        }
        return principal
    }

    func verifyJWT(_ token: String) async throws -> Principal {
        guard !verifiers.isEmpty else {
            throw PillarError.unauthenticated(
                "Bearer tokens are not accepted: no OIDC issuer is configured.", code: "invalid_token")
        }
        let issuer = OIDCVerifier.unverifiedIssuer(of: token)
        guard let verifier = verifiers.first(where: { $0.issuer == issuer }) else {
            throw PillarError.unauthenticated("The token's issuer is not accepted.", code: "invalid_token", param: "iss")
        }
        let principal = try await verifier.verify(token)
        try await tenants.admit(principal)
        return principal
    }
}

extension HTTPField.Name {
    static let apiKey = Self("api-key")!
}

/// Makes sure a tenant named by an identity provider exists, writing at most once per tenant and process.
actor TenantEnrolment {
    let repository: any TenantRepository
    private var enrolled: Set<String> = []

    init(repository: any TenantRepository) { self.repository = repository }

    /// Lets in a person an identity provider named, by bearer token or sign-in.
    func admit(_ principal: Principal) async throws {
        // Nobody may act in the isolation probe's tenant: a leak into it would go unseen.
        guard !ProbeTenant.isReserved(principal.tenant) else {
            throw PillarError.permissionDenied("The tenant '\(principal.tenant)' is reserved for the isolation probe.")
        }
        // A tenant first seen through a token has no row yet; its turns and keys need one.
        try await enrol(principal.tenant)
    }

    func enrol(_ tenant: String) async throws {
        guard !enrolled.contains(tenant) else { return }
        _ = try await repository.ensureTenant(tenant)
        enrolled.insert(tenant)
    }
}
