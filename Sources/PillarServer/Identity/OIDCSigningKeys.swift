import Foundation
import JWTKit
import PillarCore

/// An issuer's signing keys, each bound to the one algorithm it may verify, and the choice of key for a token.
///
/// Pillar chooses the key itself instead of handing jwt-kit a collection of every key: `JWTKeyCollection.verify`
/// falls back to its first key for a `kid` it does not know, and a key verifies with its own algorithm whatever
/// the token's header says (so `ES256` in the header of an RS256 signature passed). Here an unknown `kid` is
/// refused, a token without one is accepted only when the issuer has a single key, and the header's `alg` must be
/// the key's: RS256 on an RSA key, ES256 on an EC P-256 key, and the JWK's own `alg` when it names one. Each key
/// sits in a collection of its own, so jwt-kit has nothing left to choose.
struct OIDCSigningKeys: Sendable {
    struct Key: Sendable {
        /// The JWK's `kid`; nil for a key published without one.
        let id: String?
        /// `RS256` or `ES256`: the only header `alg` this key verifies.
        let algorithm: String
        /// This key alone.
        let verifier: JWTKeyCollection
    }

    private(set) var keys: [Key] = []

    var ids: Set<String> { Set(keys.compactMap(\.id)) }

    init() {}

    /// The usable signing keys of a JWKS document. Keys of other types, curves or algorithms, encryption keys and
    /// keys that do not decode are skipped one by one: one odd key must not cost the issuer's other keys.
    init(jwks data: Data) async throws {
        guard case .object(let document) = try JSONDecoder().decode(JSONValue.self, from: data),
            case .array(let entries)? = document["keys"]
        else {
            throw PillarError.unavailable("the JWKS document has no 'keys' array")
        }
        for entry in entries {
            guard case .object(let fields) = entry, let key = await Self.key(from: fields) else { continue }
            // Two keys under one kid would make the choice ambiguous again: the first wins, as the issuer listed them.
            if let id = key.id, ids.contains(id) { continue }
            keys.append(key)
        }
    }

    private static func key(from fields: [String: JSONValue]) async -> Key? {
        if let use = fields["use"], use.stringValue != "sig" { return nil }
        if let operations = fields["key_ops"], !operations.stringList.contains("verify") { return nil }
        let id: String?
        switch fields["kid"] {
        case nil: id = nil
        case .string(let value)?: id = value
        default: return nil
        }
        let declared = fields["alg"]
        let kid = id.map { JWKIdentifier(string: $0) }
        let verifier = JWTKeyCollection()
        switch fields["kty"]?.stringValue {
        case "RSA":
            guard declared == nil || declared == .string("RS256"),
                let modulus = fields["n"]?.stringValue, let exponent = fields["e"]?.stringValue,
                let key = try? Insecure.RSA.PublicKey(modulus: modulus, exponent: exponent)
            else { return nil }
            await verifier.add(rsa: key, digestAlgorithm: .sha256, kid: kid)
            return Key(id: id, algorithm: "RS256", verifier: verifier)
        case "EC":
            guard declared == nil || declared == .string("ES256"), fields["crv"]?.stringValue == "P-256",
                let x = fields["x"]?.stringValue, let y = fields["y"]?.stringValue,
                let key = try? ES256PublicKey(parameters: (x: x, y: y))
            else { return nil }
            await verifier.add(ecdsa: key, kid: kid)
            return Key(id: id, algorithm: "ES256", verifier: verifier)
        default:
            return nil
        }
    }

    /// The key that may verify a token with this header, or why there is none.
    func key(kid: String?, algorithm: String) throws(PillarError) -> Key {
        let key: Key
        if let kid {
            guard let named = keys.first(where: { $0.id == kid }) else {
                throw .unauthenticated(
                    "The token's key id names none of the issuer's signing keys.", code: "invalid_token", param: "kid")
            }
            key = named
        } else {
            guard keys.count == 1, let only = keys.first else {
                throw .unauthenticated(
                    "The token names no key id, and the issuer has more than one signing key.",
                    code: "invalid_token", param: "kid")
            }
            key = only
        }
        guard key.algorithm == algorithm else {
            throw .unauthenticated(
                "The token's algorithm \(algorithm) is not the one of its key (\(key.algorithm)).",
                code: "invalid_token", param: "alg")
        }
        return key
    }
}
