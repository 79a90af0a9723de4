import Crypto
import Foundation
import PillarCore

/// How Pillar names a user who signed in with an OIDC token: `oidc:<issuer tag>:<claim>`, the issuer tag being the
/// first 16 hex digits of the SHA-256 of the configured `issuer`.
///
/// A subject owns conversations, traces, feedback and consent, and names the actor of audit records and the user
/// of usage records. An API key's subject is its id (`key_…`), which an identity provider's `sub` can equal, and
/// two issuers can both have a user `alice`; the raw claim would let any of them read the others' data. The prefix
/// keeps the three apart, and hashing the issuer keeps a URL's `/` out of `POST /v1/admin/subjects/{subject}/erasure`.
/// Key subjects stay as they were, so what keys stored before remains theirs.
public enum OIDCSubject {
    public static func prefix(issuer: String) -> String {
        "oidc:" + SHA256.hash(data: Data(issuer.utf8)).prefix(8).hexString + ":"
    }

    public static func named(_ claim: String, issuer: String) -> String { prefix(issuer: issuer) + claim }
}
