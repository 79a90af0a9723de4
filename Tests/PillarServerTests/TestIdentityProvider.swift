import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOConcurrencyHelpers
import PillarCore
import _CryptoExtras

@testable import PillarServer

/// A real OpenID provider on a loopback port: discovery document and JWKS, whose keys a test can rotate. It keeps
/// its private keys, so a test can also sign any header and payload with them, as a forger would.
final class TestIdentityProvider: Sendable {
    enum PrivateKey: Sendable {
        case ec(P256.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
    }

    let signers = JWTKeyCollection()
    private let published = NIOLockedValueBox<[[String: String]]>([])
    private let privateKeys = NIOLockedValueBox<[String: PrivateKey]>([:])
    /// The paths asked of this provider, in order.
    let requests = NIOLockedValueBox<[String]>([])

    /// A P-256 key; `alg` is what its JWK says (nil: the JWK names no algorithm).
    func addES256(kid: String, publish: Bool = true, alg: String? = "ES256") async throws {
        let backing = P256.Signing.PrivateKey()
        let key = try ES256PrivateKey(backing: backing)
        await signers.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        privateKeys.withLockedValue { $0[kid] = .ec(backing) }
        guard let parameters = key.publicKey.parameters else { throw PillarError.notFound("the key has no parameters") }
        if publish {
            publishJWK(["kty": "EC", "crv": "P-256", "alg": alg, "kid": kid, "x": parameters.x, "y": parameters.y])
        }
    }

    func addRS256(kid: String, publish: Bool = true, alg: String? = "RS256") async throws {
        let backing = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let key = try Insecure.RSA.PrivateKey(backing: backing)
        await signers.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        privateKeys.withLockedValue { $0[kid] = .rsa(backing) }
        let primitives = try key.publicKey.getKeyPrimitives()
        if publish {
            publishJWK([
                "kty": "RSA", "alg": alg, "kid": kid, "n": primitives.modulus.base64URL, "e": primitives.publicExponent.base64URL,
            ])
        }
    }

    private func publishJWK(_ fields: [String: String?]) {
        published.withLockedValue { $0.append(fields.compactMapValues { $0 }) }
    }

    /// The JWKS as published, e.g. to embed it in a token's header.
    func publishedJWK(kid: String) -> [String: String]? {
        published.withLockedValue { $0.first { $0["kid"] == kid } }
    }

    func token(kid: String, claims: [String: JSONValue]) async throws -> String {
        try await signers.sign(OIDCClaims(values: claims), kid: JWKIdentifier(string: kid))
    }

    /// `header.payload` signed with a key's own algorithm (ECDSA P-256 or RSA PKCS#1 v1.5, both SHA-256), whatever
    /// the header says.
    func signature(over signingInput: Data, kid: String) throws -> Data {
        switch privateKeys.withLockedValue({ $0[kid] }) {
        case .ec(let key)?: return try key.signature(for: signingInput).rawRepresentation
        case .rsa(let key)?: return try key.signature(for: signingInput, padding: .insecurePKCS1v1_5).rawRepresentation
        case nil: throw PillarError.notFound("no key \(kid)")
        }
    }

    /// An RSA key's public half in PEM, the secret of an HS256 key-confusion forgery.
    func publicKeyPEM(kid: String) throws -> String {
        guard case .rsa(let key)? = privateKeys.withLockedValue({ $0[kid] }) else {
            throw PillarError.notFound("no RSA key \(kid)")
        }
        return key.publicKey.pemRepresentation
    }

    /// Serves `/jwks` and a discovery document naming it, at `http://127.0.0.1:PORT`.
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        let published = self.published
        let requests = self.requests
        router.middlewares.add(RequestRecorder(requests: requests))
        router.get("jwks") { _, _ in
            try JSONResponse.make(["keys": published.withLockedValue { $0 }])
        }
        router.get(".well-known/openid-configuration") { request, _ in
            let host = request.head.authority ?? request.headers[HTTPField.Name("host")!] ?? ""
            return try JSONResponse.make(["jwks_uri": "http://\(host)/jwks"])
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await waitUntilServing(port: client.port!, path: "/jwks")
            requests.withLockedValue { $0.removeAll() }
            return try await body("http://127.0.0.1:\(client.port!)")
        }
    }
}

private struct RequestRecorder<Context: RequestContext>: RouterMiddleware {
    let requests: NIOLockedValueBox<[String]>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        requests.withLockedValue { $0.append(request.uri.path) }
        return try await next(request, context)
    }
}

/// Builds compact JWTs from any header and payload, signed however a test likes: the tokens a forger sends.
enum ForgedJWT {
    static func segment(_ object: [String: JSONValue]) throws -> String {
        try JSONEncoder().encode(object).base64URL
    }

    static func make(
        header: [String: JSONValue], claims: [String: JSONValue],
        sign: (Data) throws -> Data
    ) throws -> String {
        let signingInput = try segment(header) + "." + segment(claims)
        return signingInput + "." + (try sign(Data(signingInput.utf8))).base64URL
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
