import Crypto
import Foundation
import PillarCore

/// Creates and checks API keys. A key is `pk-` and 32 random bytes in base64url; only its SHA-256 is stored.
/// (A slow password hash is not needed: the key has 256 bits of entropy, so a fast hash cannot be brute-forced,
/// and it keeps authentication off the CPU's critical path.)
public struct APIKeyIssuer: Sendable {
    public static let keyPrefix = "pk-"
    /// A key chosen by a person (PILLAR_BOOTSTRAP_KEY) must be long enough that a fast hash cannot be reversed.
    public static let minimumChosenLength = 32
    let keys: any APIKeyRepository
    let tenants: any TenantRepository
    /// Valid keys seen lately; nil looks every key up.
    let cache: APIKeyCache?

    public init(keys: any APIKeyRepository, tenants: any TenantRepository, cacheLifetime: Duration = .zero) {
        self.keys = keys
        self.tenants = tenants
        self.cache = cacheLifetime > .zero ? APIKeyCache(lifetime: cacheLifetime) : nil
    }

    /// A new key; the secret is in the result and nowhere else.
    public func create(tenant: String, name: String, role: Role, secret: String? = nil) async throws
        -> (record: APIKeyRecord, secret: String)
    {
        guard !name.isEmpty, name.count <= 100 else {
            throw PillarError.invalidRequest("key name must be 1-100 characters", param: "name")
        }
        guard !ProbeTenant.isReserved(tenant) else {
            throw PillarError.invalidRequest(
                "the tenant '\(tenant)' is reserved for the isolation probe: no key may reach it", param: "tenant")
        }
        _ = try await tenants.ensureTenant(tenant)
        if let secret, secret.utf8.count < Self.minimumChosenLength {
            throw PillarError.invalidRequest("a chosen key must be at least \(Self.minimumChosenLength) characters")
        }
        let secret = secret ?? Self.generateSecret()
        guard Self.isWellFormed(secret) else {
            throw PillarError.invalidRequest("a key must be printable characters without spaces")
        }
        // Enough for a person to tell keys apart, too little to weaken one: "pk-" and four characters.
        let record = APIKeyRecord(
            id: "key_" + Self.randomToken(bytes: 9), tenant: tenant, name: name, role: role,
            prefix: String(secret.prefix(7)), createdAt: Date().timeIntervalSince1970)
        try await keys.insertKey(record, hash: Self.hash(secret))
        return (record, secret)
    }

    /// The principal a key stands for, or nil when the key is unknown or revoked.
    public func authenticate(_ secret: String) async throws -> Principal? {
        guard Self.isWellFormed(secret) else { return nil }
        let hash = Self.hash(secret)
        if let known = cache?.principal(forHash: hash) { return known }
        guard let record = try await keys.activeKey(hash: hash) else { return nil }
        let principal = Principal(tenant: record.tenant, subject: record.id, roles: [record.role], method: .apiKey)
        cache?.remember(principal, forHash: hash)
        return principal
    }

    /// Revokes a key (of `tenant`, when given); it stops working at once on this server. False: no such key.
    public func revoke(id: String, tenant: String?) async throws -> Bool {
        let revoked = try await keys.revokeKey(id: id, tenant: tenant)
        cache?.forget(keyID: id)
        return revoked
    }

    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hexString
    }

    static func isWellFormed(_ secret: String) -> Bool {
        (20...512).contains(secret.utf8.count) && secret.unicodeScalars.allSatisfy { $0.value > 32 && $0.value < 127 }
    }

    static func generateSecret() -> String { keyPrefix + randomToken(bytes: 32) }

    static func randomToken(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
