import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import PillarCore

/// Browser sign-in with OpenID Connect's authorization code flow and PKCE (RFC 7636, S256), and the sessions it
/// starts: idle and absolute expiry, renewal with the provider's refresh token when the ID token runs out (the
/// person's roles and groups are read again then), and sign-out at the provider.
///
/// Tokens, codes, session ids and CSRF tokens are never logged.
actor SignInService {
    let settings: PillarConfiguration.SignIn
    let provider: OIDCProviderClient
    /// The `oidc` entry's verifier with the client id as the only audience: an ID token for another client, or an
    /// API access token, does not start a session.
    let verifier: OIDCVerifier
    let repository: any SignInRepository
    let audit: any AuditLog
    /// Refuses reserved tenants and enrols new ones, as for bearer tokens.
    let admit: @Sendable (Principal) async throws -> Void
    let logger: Logger
    /// Renewals under way, by session: concurrent requests of one person wait for one renewal.
    private var renewals: [String: Task<SignInSession, any Error>] = [:]

    /// How long the trip to the provider may take.
    static let pendingLifetime: TimeInterval = 600
    static let maxReturnToLength = 2048

    init(
        settings: PillarConfiguration.SignIn, oidc: PillarConfiguration.OIDC, clientSecret: String?,
        repository: any SignInRepository, audit: any AuditLog, httpClient: HTTPClient,
        admit: @escaping @Sendable (Principal) async throws -> Void, logger: Logger
    ) {
        self.settings = settings
        self.provider = OIDCProviderClient(
            issuer: oidc.issuer, clientID: settings.clientId, clientSecret: clientSecret, httpClient: httpClient)
        var idTokens = oidc
        idTokens.audiences = [settings.clientId]
        self.verifier = OIDCVerifier(configuration: idTokens, httpClient: httpClient, logger: logger)
        self.repository = repository
        self.audit = audit
        self.admit = admit
        self.logger = logger
    }

    // MARK: Signing in

    /// Where to send the browser to sign in, and the `state` to keep in its sign-in cookie.
    func begin(returnTo: String?) async throws -> (location: String, state: String) {
        let returnTo = try Self.checkedReturnTo(returnTo)
        let endpoints = try await discover()
        let state = RandomHex.make(bytes: 32)
        let verifier = RandomHex.make(bytes: 32)
        let nonce = RandomHex.make(bytes: 32)
        try await repository.insertPending(
            PendingSignIn(
                stateHash: Self.hash(state), codeVerifier: verifier, nonce: nonce, returnTo: returnTo, createdAt: Date()))
        let query = [
            ("response_type", "code"), ("client_id", settings.clientId), ("redirect_uri", settings.redirectURL),
            ("scope", settings.scopes.joined(separator: " ")), ("state", state), ("nonce", nonce),
            ("code_challenge", Self.codeChallenge(verifier: verifier)), ("code_challenge_method", "S256"),
        ]
        return (Self.url(endpoints.authorization, adding: query), state)
    }

    struct Started: Sendable {
        var sessionID: String
        var session: SignInSession
        var returnTo: String
    }

    /// Finishes a sign-in when the provider sends the browser back.
    func complete(
        code: String?, state: String?, providerError: String?, stateCookie: String?, now: Date = Date()
    ) async throws -> Started {
        func failed(_ message: String) -> PillarError {
            .init(.invalidRequest, code: "sign_in_failed", message: "The sign-in could not be completed: \(message)")
        }
        guard let state, !state.isEmpty, state.count <= 128 else { throw failed("the provider's answer carries no state.") }
        // Only the browser that set out may come back: its cookie holds the state it was given.
        guard let stateCookie, Self.constantTimeEqual(stateCookie, state) else {
            throw failed("this browser did not start this sign-in (or its cookies are off); start again.")
        }
        guard
            let pending = try await repository.takePending(
                stateHash: Self.hash(state), notBefore: now.addingTimeInterval(-Self.pendingLifetime))
        else {
            throw failed("the sign-in expired or was already used; start again.")
        }
        if let providerError {
            throw failed("the identity provider answered '\(String(providerError.prefix(64)))'.")
        }
        guard let code, !code.isEmpty, code.count <= 4096 else { throw failed("the provider's answer carries no code.") }
        let tokens: OIDCProviderClient.Tokens
        do throws(OIDCProviderClient.Refusal) {
            tokens = try await provider.redeem(code: code, verifier: pending.codeVerifier, redirectURL: settings.redirectURL)
        } catch .refused(let error) {
            throw failed("the identity provider refused the code (\(error)).")
        } catch .unreachable(let why) {
            throw Self.unavailable(why)
        }
        guard let idToken = tokens.idToken else { throw failed("the identity provider sent no ID token.") }
        let claims = try await verifiedIDToken(idToken)
        guard let nonce = claims["nonce"]?.stringValue, Self.constantTimeEqual(nonce, pending.nonce) else {
            throw failed("the ID token's nonce is not this sign-in's.")
        }
        let principal = try await verifier.principal(from: claims)
        try await admit(principal)
        let sessionID = RandomHex.make(bytes: 32)
        let expiresAt = now.addingTimeInterval(settings.sessionHours * 3600)
        let session = SignInSession(
            idHash: Self.hash(sessionID), tenant: principal.tenant, subject: principal.subject, roles: principal.roles,
            groups: principal.groups, issuer: verifier.issuer, csrfToken: RandomHex.make(bytes: 32), createdAt: now,
            lastSeenAt: now, expiresAt: expiresAt,
            renewAt: nextRenewal(now: now, tokenExpiry: Self.expiry(of: claims), end: expiresAt),
            refreshToken: tokens.refreshToken, idToken: idToken)
        try await repository.insertSession(session)
        try await audit.append(
            tenant: principal.tenant, actor: principal.subject, action: "session.sign_in", target: principal.subject,
            details: ["issuer": verifier.issuer, "roles": principal.roles.map(\.rawValue).sorted().joined(separator: ",")])
        logger.info("signed in", metadata: ["tenant": "\(principal.tenant)", "subject": "\(principal.subject)"])
        return Started(sessionID: sessionID, session: session, returnTo: pending.returnTo)
    }

    // MARK: Sessions

    /// The live session a cookie names, renewed with the provider when its ID token has run out.
    func session(id: String, now: Date = Date()) async throws -> SignInSession {
        let idHash = Self.hash(id)
        guard let stored = try await repository.session(idHash: idHash) else {
            throw Self.expired("The session is not known (it ended, or was signed out); sign in again.")
        }
        if now >= stored.expiresAt {
            try await end(stored, reason: "expired")
            throw Self.expired("The session has expired; sign in again.")
        }
        if now.timeIntervalSince(stored.lastSeenAt) > settings.idleMinutes * 60 {
            try await end(stored, reason: "idle")
            throw Self.expired("The session ended after \(Self.minutes(settings.idleMinutes)) without use; sign in again.")
        }
        var session = stored
        if now >= stored.renewAt {
            session = try await renewOnce(stored, now: now)
        } else if now.timeIntervalSince(stored.lastSeenAt) > min(60, settings.idleMinutes * 15) {
            // Last use to the minute (or a quarter of the idle time, when that is shorter) keeps writes off the path.
            try await repository.touchSession(idHash: idHash, at: now)
        }
        return session
    }

    private func renewOnce(_ session: SignInSession, now: Date) async throws -> SignInSession {
        if let running = renewals[session.idHash] { return try await running.value }
        let task = Task { try await self.renew(session, now: now) }
        renewals[session.idHash] = task
        defer { renewals[session.idHash] = nil }
        return try await task.value
    }

    /// Asks the provider whether the person may go on: a refresh token that is refused (the person was disabled,
    /// signed out elsewhere, their grant revoked) ends the session, and a new ID token's roles and groups replace
    /// the old ones.
    private func renew(_ session: SignInSession, now: Date) async throws -> SignInSession {
        guard let refreshToken = session.refreshToken else {
            try await end(session, reason: "no refresh token")
            throw Self.expired("The sign-in has run out and the identity provider gave no refresh token; sign in again.")
        }
        let tokens: OIDCProviderClient.Tokens
        do throws(OIDCProviderClient.Refusal) {
            tokens = try await provider.refresh(refreshToken)
        } catch .refused {
            try await end(session, reason: "refresh refused")
            throw Self.expired("The identity provider no longer accepts this sign-in; sign in again.")
        } catch .unreachable(let why) {
            throw Self.unavailable(why)
        }
        var renewed = session
        renewed.lastSeenAt = now
        renewed.refreshToken = tokens.refreshToken ?? refreshToken
        // Without a new ID token, the access token's lifetime says when it runs out.
        var tokenExpiry = tokens.expiresIn.map { now.addingTimeInterval(TimeInterval($0)) }
        if let idToken = tokens.idToken {
            let claims: [String: JSONValue]
            let principal: Principal
            do {
                claims = try await verifiedIDToken(idToken)
                principal = try await verifier.principal(from: claims)
            } catch {
                try await end(session, reason: "renewed ID token refused")
                throw Self.expired("The identity provider's new ID token is not accepted; sign in again.")
            }
            // OpenID Connect Core §12.2: the renewed token is about the same person, or the session ends.
            guard principal.subject == session.subject, principal.tenant == session.tenant else {
                try await end(session, reason: "renewed ID token names someone else")
                throw Self.expired("The identity provider's new ID token names someone else; sign in again.")
            }
            renewed.roles = principal.roles
            renewed.groups = principal.groups
            renewed.idToken = idToken
            tokenExpiry = Self.expiry(of: claims) ?? tokenExpiry
        }
        renewed.renewAt = nextRenewal(now: now, tokenExpiry: tokenExpiry, end: session.expiresAt)
        try await repository.renewSession(renewed)
        return renewed
    }

    /// When to ask the provider again: when the token runs out, after `renewMinutes` at the latest, never past the
    /// session's end, and not sooner than a few seconds from now (a provider that answers with tokens already
    /// expiring must not be asked on every request).
    private func nextRenewal(now: Date, tokenExpiry: Date?, end: Date) -> Date {
        let latest = now.addingTimeInterval(settings.renewMinutes * 60)
        let due = min(tokenExpiry ?? latest, latest, end)
        return min(max(due, now.addingTimeInterval(Self.minimumRenewalSeconds)), end)
    }

    static let minimumRenewalSeconds: TimeInterval = 2

    /// Signs out: the session ends here, and the answer says where the provider signs the person out too.
    func signOut(id: String, csrfToken: String?) async throws -> String? {
        guard let session = try await repository.session(idHash: Self.hash(id)) else { return nil }
        guard let csrfToken, Self.constantTimeEqual(csrfToken, session.csrfToken) else { throw Self.csrfRefused }
        try await end(session, reason: "signed out")
        guard let endSession = try? await provider.discover().endSession else { return nil }
        var query = [("client_id", settings.clientId), ("post_logout_redirect_uri", postSignOutURL)]
        if let idToken = session.idToken { query.append(("id_token_hint", idToken)) }
        return Self.url(endSession, adding: query)
    }

    /// The redirect URL's origin, unless configured.
    var postSignOutURL: String {
        if let configured = settings.postSignOutURL { return configured }
        guard var components = URLComponents(string: settings.redirectURL) else { return settings.redirectURL }
        components.path = "/"
        components.query = nil
        return components.string ?? settings.redirectURL
    }

    private func end(_ session: SignInSession, reason: String) async throws {
        guard try await repository.deleteSession(idHash: session.idHash) != nil else { return }
        try await audit.append(
            tenant: session.tenant, actor: session.subject, action: "session.sign_out", target: session.subject,
            details: ["reason": reason])
    }

    // MARK: Parts

    private func discover() async throws -> OIDCProviderClient.Endpoints {
        do throws(OIDCProviderClient.Refusal) {
            return try await provider.discover()
        } catch .unreachable(let why), .refused(let why) {
            throw Self.unavailable(why)
        }
    }

    private func verifiedIDToken(_ token: String) async throws -> [String: JSONValue] {
        let claims = try await verifier.verifiedClaims(token)
        // OpenID Connect Core §3.1.3.7: with more than one audience, the token must be issued to this client.
        if (claims["aud"]?.stringList.count ?? 0) > 1, claims["azp"]?.stringValue != settings.clientId {
            throw PillarError.unauthenticated(
                "The ID token has several audiences and was not issued to this client.", code: "invalid_token",
                param: "azp")
        }
        return claims
    }

    static func expiry(of claims: [String: JSONValue]) -> Date? {
        claims["exp"]?.numberValue.map { Date(timeIntervalSince1970: $0) }
    }

    /// A path on this server to go back to after signing in: `/` unless one is given; never another site (`//…`,
    /// `/\…` and schemes are refused), so the sign-in cannot be turned into an open redirect.
    static func checkedReturnTo(_ value: String?) throws(PillarError) -> String {
        guard let value, !value.isEmpty else { return "/" }
        guard value.count <= maxReturnToLength, value.hasPrefix("/"), !value.hasPrefix("//"), !value.hasPrefix("/\\"),
            value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" })
        else {
            throw .invalidRequest(
                "'return_to' must be a path on this server, starting with a single '/'.", param: "return_to")
        }
        return value
    }

    /// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))), unpadded.
    static func codeChallenge(verifier: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    static func hash(_ value: String) -> String { SHA256.hash(data: Data(value.utf8)).hexString }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func url(_ base: String, adding query: [(String, String)]) -> String {
        let separator = base.contains("?") ? "&" : "?"
        return base + separator
            + query.map { "\($0)=\(OIDCProviderClient.formEncode($1))" }.joined(separator: "&")
    }

    static func minutes(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) minutes" : "\(value) minutes"
    }

    static func expired(_ message: String) -> PillarError {
        .unauthenticated(message, code: "session_expired")
    }

    static func unavailable(_ why: String) -> PillarError {
        .init(
            .unavailable, code: "identity_provider_unavailable",
            message: "The identity provider could not be reached (\(why)); try again shortly.", retryAfterSeconds: 5)
    }

    static let csrfRefused = PillarError(
        .permissionDenied, code: "csrf_token_invalid",
        message:
            "A request that changes something with the session cookie must carry the session's X-CSRF-Token header (from GET /auth/session)."
    )
}
