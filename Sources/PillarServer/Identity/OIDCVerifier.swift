import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import PillarCore

/// Verifies OIDC bearer tokens (Microsoft Entra ID or any OpenID provider) against the issuer's JWKS and
/// maps their claims to a `Principal`. Keys are cached; a token signed with a key id not in the cache
/// triggers one refresh (at most one every few seconds), so a provider's key rotation is picked up without
/// letting unknown key ids turn into a flood of fetches.
public actor OIDCVerifier {
    let configuration: PillarConfiguration.OIDC
    let httpClient: HTTPClient
    let logger: Logger
    private var signingKeys = OIDCSigningKeys()
    private var fetchedAt: ContinuousClock.Instant?
    private var lastUnknownKeyRefresh: ContinuousClock.Instant?
    private var lastFailedFetch: ContinuousClock.Instant?
    /// The fetch under way; concurrent verifications wait for it rather than start their own.
    private var refreshing: Task<Void, Never>?
    private var jwksURL: String?
    /// What this issuer's subjects start with (see `OIDCSubject`).
    let subjectPrefix: String
    static let minimumRefreshInterval: Duration = .seconds(5)

    public init(configuration: PillarConfiguration.OIDC, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.jwksURL = configuration.jwksURL
        self.subjectPrefix = OIDCSubject.prefix(issuer: configuration.issuer)
        // Admins name a user by subject (erasure, the audit log): say what this issuer's look like.
        logger.info(
            "OIDC issuer accepted",
            metadata: ["issuer": "\(configuration.issuer)", "subjects": "\(subjectPrefix)<\(configuration.subjectClaim)>"])
    }

    nonisolated var issuer: String { configuration.issuer }

    /// The token's `iss` without checking anything, to pick the verifier for a token.
    static func unverifiedIssuer(of token: String) -> String? {
        jsonSegment(1, of: token)?["iss"]?.stringValue
    }

    public func verify(_ token: String) async throws(PillarError) -> Principal {
        try principal(from: try await verifiedClaims(token))
    }

    /// The token's claims once its header, key and signature are checked; `principal(from:)` checks the rest.
    func verifiedClaims(_ token: String) async throws(PillarError) -> [String: JSONValue] {
        func invalid(_ message: String, _ part: String) -> PillarError {
            .unauthenticated(message, code: "invalid_token", param: part)
        }
        let header = Self.header(of: token)
        guard let algorithm = header?["alg"]?.stringValue, ["RS256", "ES256"].contains(algorithm) else {
            throw invalid("The token's signing algorithm is not accepted (RS256 or ES256 only).", "alg")
        }
        // RFC 7515 §4.1.11: extensions marked critical must be understood, and Pillar understands none.
        guard header?["crit"] == nil else { throw invalid("The token names critical header extensions.", "crit") }
        let keyID: String?
        switch header?["kid"] {
        case nil: keyID = nil
        case .string(let value)?: keyID = value
        default: throw invalid("The token's key id is not a string.", "kid")
        }
        let stale = fetchedAt.map { ContinuousClock.now - $0 > .seconds(configuration.jwksRefreshSeconds) } ?? true
        let recentlyFailed = lastFailedFetch.map { ContinuousClock.now - $0 < Self.minimumRefreshInterval } ?? false
        if stale, !recentlyFailed {
            await refreshKeys()
        } else if let keyID, !signingKeys.ids.contains(keyID), mayRefreshForUnknownKey() {
            await refreshKeys()
        }
        let key = try signingKeys.key(kid: keyID, algorithm: algorithm)
        let claims: OIDCClaims
        do {
            claims = try await key.verifier.verify(token, as: OIDCClaims.self)
        } catch {
            throw invalid("The token's signature is not valid for the issuer's keys.", "signature")
        }
        return claims.values
    }

    /// Checks the registered claims, then maps the configured ones to tenant, subject, roles and groups.
    func principal(from claims: [String: JSONValue], now: Date = Date()) throws(PillarError) -> Principal {
        let leeway = Double(configuration.leewaySeconds)
        func invalid(_ message: String, _ claim: String) -> PillarError {
            .unauthenticated(message, code: "invalid_token", param: claim)
        }
        guard claims["iss"]?.stringValue == configuration.issuer else {
            throw invalid("The token's issuer is not accepted.", "iss")
        }
        let audiences = claims["aud"]?.stringList ?? []
        guard audiences.contains(where: configuration.audiences.contains) else {
            throw invalid("The token's audience is not accepted.", "aud")
        }
        // RFC 7519 §2: the time claims are NumericDates. One of another type is refused, not skipped, or a string
        // `nbf` would make a token valid before its time.
        for claim in ["exp", "nbf", "iat"] where claims[claim] != nil && claims[claim]?.numberValue == nil {
            throw invalid("The token's '\(claim)' is not a NumericDate.", claim)
        }
        guard let expiry = claims["exp"]?.numberValue else { throw invalid("The token has no expiry.", "exp") }
        guard now.timeIntervalSince1970 < expiry + leeway else { throw invalid("The token has expired.", "exp") }
        if let notBefore = claims["nbf"]?.numberValue, now.timeIntervalSince1970 + leeway < notBefore {
            throw invalid("The token is not valid yet.", "nbf")
        }
        guard let claimedSubject = claims[configuration.subjectClaim]?.stringValue, !claimedSubject.isEmpty else {
            throw invalid("The token has no '\(configuration.subjectClaim)' claim.", configuration.subjectClaim)
        }
        let tenant: String
        if let claim = configuration.tenantClaim, let value = claims[claim]?.stringValue {
            if let map = configuration.tenantMap {
                guard let mapped = map[value] else { throw .permissionDenied("The token's tenant is not enrolled in Pillar.") }
                tenant = mapped
            } else {
                tenant = value
            }
        } else if let fallback = configuration.defaultTenant {
            tenant = fallback
        } else {
            throw .permissionDenied("The token names no tenant.")
        }
        guard Tenant.isValidID(tenant) else { throw .permissionDenied("The token's tenant is not a valid tenant id.") }
        var roles = Set(
            (claims[configuration.rolesClaim]?.stringList ?? []).compactMap {
                configuration.roleMap[$0].flatMap(Role.init(rawValue:))
            })
        if roles.isEmpty {
            guard let fallback = configuration.defaultRole.flatMap(Role.init(rawValue:)) else {
                throw .permissionDenied("The token carries no role that Pillar accepts.")
            }
            roles = [fallback]
        }
        return Principal(
            tenant: tenant, subject: subjectPrefix + claimedSubject, roles: roles,
            groups: claims[configuration.groupsClaim]?.stringList ?? [], method: .oidc)
    }

    /// At most one refresh for unknown key ids every few seconds, so forged key ids cannot flood the issuer.
    private func mayRefreshForUnknownKey() -> Bool {
        if let last = lastUnknownKeyRefresh, ContinuousClock.now - last < Self.minimumRefreshInterval { return false }
        lastUnknownKeyRefresh = .now
        return true
    }

    private func refreshKeys() async {
        if let refreshing { return await refreshing.value }
        let task = Task { await self.fetchKeys() }
        refreshing = task
        await task.value
        refreshing = nil
    }

    private func fetchKeys() async {
        do {
            let url = try await resolveJWKSURL()
            let body = try await fetch(url)
            signingKeys = try await OIDCSigningKeys(jwks: body)
            fetchedAt = .now
            logger.info(
                "OIDC signing keys loaded", metadata: ["issuer": "\(configuration.issuer)", "keys": "\(signingKeys.keys.count)"])
        } catch {
            lastFailedFetch = .now
            logger.error(
                "OIDC signing keys could not be loaded",
                metadata: [
                    "issuer": "\(configuration.issuer)", "error": "\(error)",
                ])
        }
    }

    private func resolveJWKSURL() async throws -> String {
        if let jwksURL { return jwksURL }
        let base = configuration.issuer.hasSuffix("/") ? String(configuration.issuer.dropLast()) : configuration.issuer
        let document = try JSONDecoder().decode(JSONValue.self, from: try await fetch(base + "/.well-known/openid-configuration"))
        guard case .object(let fields) = document, let url = fields["jwks_uri"]?.stringValue else {
            throw PillarError.unavailable("the issuer's discovery document has no jwks_uri")
        }
        jwksURL = url
        return url
    }

    private func fetch(_ url: String) async throws -> Data {
        let response = try await httpClient.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        guard response.status == .ok else { throw PillarError.unavailable("\(url) answered \(response.status.code)") }
        return Data(try await response.body.collect(upTo: 1024 * 1024).readableBytesView)
    }

    static func header(of token: String) -> [String: JSONValue]? { jsonSegment(0, of: token) }

    /// A JWT's header (0) or payload (1) as a JSON object, unverified.
    static func jsonSegment(_ index: Int, of token: String) -> [String: JSONValue]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Base64URL.decode(String(parts[index])),
            case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return nil }
        return fields
    }
}

/// All claims of a token, kept as JSON so that the claim names can come from configuration. The registered
/// claims are checked by `OIDCVerifier.principal(from:)`, not here.
struct OIDCClaims: JWTPayload {
    var values: [String: JSONValue]

    init(values: [String: JSONValue]) { self.values = values }

    init(from decoder: any Decoder) throws {
        values = try [String: JSONValue](from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try values.encode(to: encoder)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

enum Base64URL {
    /// Unpadded, as JOSE and PKCE write it.
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
