import Foundation

/// A person signed in through the browser: who they are (as the identity provider's ID token said, mapped like a
/// bearer token's claims), the token that keeps them signed in, and when that ends.
///
/// The cookie carries a random session id; only its SHA-256 (`idHash`) is stored, as with API keys, so a copy of
/// the database signs nobody in. The provider's refresh and ID tokens are stored encrypted under the tenant's key.
public struct SignInSession: Sendable, Hashable {
    public var idHash: String
    public var tenant: String
    public var subject: String
    public var roles: Set<Role>
    public var groups: [String]
    /// The `iss` of the provider the person signed in with.
    public var issuer: String
    /// Sent back in `X-CSRF-Token` by the page on every state-changing request made with the cookie.
    public var csrfToken: String
    public var createdAt: Date
    public var lastSeenAt: Date
    /// The session ends here however active the person is.
    public var expiresAt: Date
    /// When the ID token expires: the provider is asked again (with `refreshToken`) before the session goes on.
    public var renewAt: Date
    public var refreshToken: String?
    /// Sent as `id_token_hint` when the person signs out at the provider.
    public var idToken: String?

    public init(
        idHash: String, tenant: String, subject: String, roles: Set<Role>, groups: [String], issuer: String,
        csrfToken: String, createdAt: Date, lastSeenAt: Date, expiresAt: Date, renewAt: Date, refreshToken: String?,
        idToken: String?
    ) {
        self.idHash = idHash
        self.tenant = tenant
        self.subject = subject
        self.roles = roles
        self.groups = groups
        self.issuer = issuer
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.renewAt = renewAt
        self.refreshToken = refreshToken
        self.idToken = idToken
    }

    public var principal: Principal {
        Principal(tenant: tenant, subject: subject, roles: roles, groups: groups, method: .session)
    }
}

/// A sign-in between the redirect to the provider and its return: what the callback needs to finish it. Kept
/// under the SHA-256 of the `state` parameter, used once.
public struct PendingSignIn: Sendable, Hashable {
    public var stateHash: String
    /// The PKCE code verifier (RFC 7636). Useless without the authorization code, which only the browser that
    /// signed in receives, and deleted with the row once used or expired.
    public var codeVerifier: String
    public var nonce: String
    /// The page to go back to: a path on this server.
    public var returnTo: String
    public var createdAt: Date

    public init(stateHash: String, codeVerifier: String, nonce: String, returnTo: String, createdAt: Date) {
        self.stateHash = stateHash
        self.codeVerifier = codeVerifier
        self.nonce = nonce
        self.returnTo = returnTo
        self.createdAt = createdAt
    }
}

public protocol SignInRepository: Sendable {
    func insertPending(_ pending: PendingSignIn) async throws
    /// The pending sign-in with this state hash, removed so that it cannot be used twice; nil when there is none
    /// or it was created before `notBefore`. Older pending sign-ins are removed on the way.
    func takePending(stateHash: String, notBefore: Date) async throws -> PendingSignIn?
    /// Also removes every session that has ended by `session.createdAt`.
    func insertSession(_ session: SignInSession) async throws
    func session(idHash: String) async throws -> SignInSession?
    func touchSession(idHash: String, at: Date) async throws
    /// Stores what a renewal with the provider brought: claims, tokens and the next renewal time.
    func renewSession(_ session: SignInSession) async throws
    /// Removes the session; the removed session, or nil when there was none.
    func deleteSession(idHash: String) async throws -> SignInSession?
}
