import Crypto
import Foundation
import GRDB
import Synchronization

/// Encrypts what the store keeps of people's words (conversation turns, feedback, document text, answer
/// traces) with AES-256-GCM under a data key of the tenant's own, bound to the tenant as associated data so a
/// value moved to another tenant's row does not decrypt. Data keys are stored wrapped (AES-GCM) by the master
/// key; rotating the master re-wraps them and touches no data.
public final class FieldCipher: Sendable {
    static let prefix = "enc1:"
    let master: MasterKey
    private let keys = Mutex<[String: SymmetricKey]>([:])

    public init(master: MasterKey) { self.master = master }

    public var masterKeyID: String { master.id }

    /// A key for another purpose (pseudonyms of personal data), derived from the master key per tenant with
    /// HKDF, so it needs no storage and changes when the master key does.
    public func derivedKey(purpose: String, tenant: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: master.key, info: Data("\(purpose):\(tenant)".utf8), outputByteCount: 32)
    }

    /// `enc1:` and the sealed box in base64. Creates the tenant's data key when it has none (inside `db`'s write).
    public func encrypt(_ plaintext: String, tenant: String, in db: Database) throws -> String {
        let key = try dataKey(tenant: tenant, in: db, create: true)
        let sealed = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: Data(tenant.utf8))
        guard let combined = sealed.combined else { throw CipherError("AES-GCM gave no combined box") }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The plaintext of a stored value. Values written before encryption (no `enc1:`) come back as they are.
    public func decrypt(_ stored: String, tenant: String, in db: Database) throws -> String {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        guard let combined = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))) else {
            throw CipherError("a stored value is not valid base64")
        }
        let key = try dataKey(tenant: tenant, in: db, create: false)
        let box = try AES.GCM.SealedBox(combined: combined)
        let plain = try AES.GCM.open(box, using: key, authenticating: Data(tenant.utf8))
        return String(decoding: plain, as: UTF8.self)
    }

    func dataKey(tenant: String, in db: Database, create: Bool) throws -> SymmetricKey {
        if let cached = keys.withLock({ $0[tenant] }) { return cached }
        if let row = try Row.fetchOne(
            db, sql: "SELECT wrapped, master_key_id FROM tenant_key WHERE tenant_id = ?",
            arguments: [tenant])
        {
            let key = try Self.unwrap(row["wrapped"], with: master, tenant: tenant, wrappedBy: row["master_key_id"])
            remember(key, tenant: tenant, in: db)
            return key
        }
        guard create else { throw CipherError("tenant \(tenant) has encrypted data but no data key") }
        let key = SymmetricKey(size: .bits256)
        try db.execute(
            sql: "INSERT INTO tenant_key (tenant_id, wrapped, master_key_id, created_at) VALUES (?, ?, ?, ?)",
            arguments: [
                tenant, try Self.wrap(key, with: master, tenant: tenant), master.id,
                Date().timeIntervalSince1970,
            ])
        remember(key, tenant: tenant, in: db)
        return key
    }

    /// Caches a key only once the transaction that read or made it has committed: a key whose row was rolled
    /// back must never encrypt anything (it would exist nowhere but in memory).
    private func remember(_ key: SymmetricKey, tenant: String, in db: Database) {
        // A reader only ever sees committed rows.
        guard db.isInsideTransaction, !db.configuration.readonly else {
            keys.withLock { $0[tenant] = key }
            return
        }
        db.afterNextTransaction(onCommit: { [self] _ in keys.withLock { $0[tenant] = key } })
    }

    static func wrap(_ key: SymmetricKey, with master: MasterKey, tenant: String) throws -> Data {
        let sealed = try AES.GCM.seal(
            key.withUnsafeBytes { Data($0) }, using: master.key, authenticating: Data(("key:" + tenant).utf8))
        guard let combined = sealed.combined else { throw CipherError("AES-GCM gave no combined box") }
        return combined
    }

    static func unwrap(_ wrapped: Data, with master: MasterKey, tenant: String, wrappedBy: String) throws -> SymmetricKey {
        guard wrappedBy == master.id else {
            throw CipherError(
                "tenant \(tenant)'s data key is wrapped by master key \(wrappedBy), not by the configured \(master.id) (\(master.source))"
            )
        }
        let box = try AES.GCM.SealedBox(combined: wrapped)
        return SymmetricKey(data: try AES.GCM.open(box, using: master.key, authenticating: Data(("key:" + tenant).utf8)))
    }

    /// Re-wraps every tenant's data key from `old` to `new` in one transaction; the data stays as it is.
    public static func rotate(_ database: PillarDatabase, from old: MasterKey, to new: MasterKey) async throws -> Int {
        try await database.pool.write { db in
            // Rows already wrapped by the new key (an interrupted rotation run again) are left as they are.
            let rows = try Row.fetchAll(
                db, sql: "SELECT tenant_id, wrapped, master_key_id FROM tenant_key WHERE master_key_id != ?",
                arguments: [new.id])
            for row in rows {
                let tenant: String = row["tenant_id"]
                let key = try unwrap(row["wrapped"], with: old, tenant: tenant, wrappedBy: row["master_key_id"])
                try db.execute(
                    sql: "UPDATE tenant_key SET wrapped = ?, master_key_id = ? WHERE tenant_id = ?",
                    arguments: [try wrap(key, with: new, tenant: tenant), new.id, tenant])
            }
            return rows.count
        }
    }
}

public struct CipherError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
