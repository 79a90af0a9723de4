import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PillarCore

/// What Pillar asks of an OpenID provider for a browser sign-in: its endpoints (from the discovery document,
/// fetched once and kept) and tokens from its token endpoint, for an authorization code or a refresh token.
actor OIDCProviderClient {
    struct Endpoints: Sendable {
        var authorization: String
        var token: String
        /// RP-initiated logout; nil when the provider offers none.
        var endSession: String?
    }

    /// The token endpoint's answer. `idToken` is still unverified.
    struct Tokens: Sendable {
        var idToken: String?
        var refreshToken: String?
        var expiresIn: Int?
    }

    /// Why the token endpoint said no: `invalid_grant` and friends (the code or refresh token is no good) end the
    /// sign-in; anything else (the provider down, a 5xx) may pass if tried again.
    enum Refusal: Error {
        case refused(String)
        case unreachable(String)
    }

    let issuer: String
    let clientID: String
    let clientSecret: String?
    let httpClient: HTTPClient
    private var endpoints: Endpoints?
    static let timeout: TimeAmount = .seconds(10)
    static let maxResponseBytes = 1024 * 1024

    init(issuer: String, clientID: String, clientSecret: String?, httpClient: HTTPClient) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.httpClient = httpClient
    }

    func discover() async throws(Refusal) -> Endpoints {
        if let endpoints { return endpoints }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let url = base + "/.well-known/openid-configuration"
        let body: Data
        do {
            let response = try await httpClient.execute(HTTPClientRequest(url: url), timeout: Self.timeout)
            guard response.status == .ok else {
                throw Refusal.unreachable("the discovery document answered \(response.status.code)")
            }
            body = Data(try await response.body.collect(upTo: Self.maxResponseBytes).readableBytesView)
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw .unreachable("the discovery document could not be fetched")
        }
        guard case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: body),
            let authorization = fields["authorization_endpoint"]?.stringValue, isWebURL(authorization),
            let token = fields["token_endpoint"]?.stringValue, isWebURL(token)
        else {
            throw .unreachable("the discovery document names no authorization and token endpoints")
        }
        let found = Endpoints(
            authorization: authorization, token: token,
            endSession: fields["end_session_endpoint"]?.stringValue.flatMap { isWebURL($0) ? $0 : nil })
        endpoints = found
        return found
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens.
    func redeem(code: String, verifier: String, redirectURL: String) async throws(Refusal) -> Tokens {
        try await requestTokens([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURL),
            ("code_verifier", verifier),
        ])
    }

    func refresh(_ refreshToken: String) async throws(Refusal) -> Tokens {
        try await requestTokens([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
    }

    private func requestTokens(_ parameters: [(String, String)]) async throws(Refusal) -> Tokens {
        let endpoints = try await discover()
        var form = parameters
        var request = HTTPClientRequest(url: endpoints.token)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let clientSecret {
            // RFC 6749 §2.3.1: both halves form-encoded before they are joined.
            let credentials = "\(Self.formEncode(clientID)):\(Self.formEncode(clientSecret))"
            request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        } else {
            form.append(("client_id", clientID))
        }
        request.body = .bytes(ByteBuffer(string: form.map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&")))
        let status: UInt
        let body: Data
        do {
            let response = try await httpClient.execute(request, timeout: Self.timeout)
            status = response.status.code
            body = Data(try await response.body.collect(upTo: Self.maxResponseBytes).readableBytesView)
        } catch {
            throw .unreachable("the token endpoint could not be reached")
        }
        let fields: [String: JSONValue]
        if case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: body) {
            fields = object
        } else {
            fields = [:]
        }
        guard status == 200 else {
            // RFC 6749 §5.2: a refusal is a 400 (or 401) with an `error` code; others are the provider's trouble.
            if (400...401).contains(status), let error = fields["error"]?.stringValue {
                throw .refused(String(error.prefix(64)))
            }
            throw .unreachable("the token endpoint answered \(status)")
        }
        return Tokens(
            idToken: fields["id_token"]?.stringValue, refreshToken: fields["refresh_token"]?.stringValue,
            expiresIn: fields["expires_in"]?.numberValue.map { Int($0) })
    }

    /// `application/x-www-form-urlencoded`: everything but the unreserved characters percent-encoded.
    static func formEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// RFC 3986's unreserved characters, ASCII only (`CharacterSet.alphanumerics` would let other letters through).
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
