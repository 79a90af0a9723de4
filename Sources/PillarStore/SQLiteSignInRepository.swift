import Foundation
import GRDB
import PillarCore

public struct SQLiteSignInRepository: SignInRepository {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func insertPending(_ pending: PendingSignIn) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO pending_sign_in (state_hash, code_verifier, nonce, return_to, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    pending.stateHash, pending.codeVerifier, pending.nonce, pending.returnTo,
                    pending.createdAt.timeIntervalSince1970,
                ])
        }
    }

    public func takePending(stateHash: String, notBefore: Date) async throws -> PendingSignIn? {
        try await database.pool.write { db in
            let cutoff = notBefore.timeIntervalSince1970
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM pending_sign_in WHERE state_hash = ? AND created_at >= ?",
                arguments: [stateHash, cutoff])
            try db.execute(
                sql: "DELETE FROM pending_sign_in WHERE state_hash = ? OR created_at < ?", arguments: [stateHash, cutoff])
            return row.map {
                PendingSignIn(
                    stateHash: $0["state_hash"], codeVerifier: $0["code_verifier"], nonce: $0["nonce"],
                    returnTo: $0["return_to"], createdAt: Date(timeIntervalSince1970: $0["created_at"]))
            }
        }
    }

    public func insertSession(_ session: SignInSession) async throws {
        let cipher = database.cipher
        try await database.pool.write { db in
            try db.execute(
                sql: "DELETE FROM sign_in_session WHERE expires_at < ?",
                arguments: [session.createdAt.timeIntervalSince1970])
            try db.execute(
                sql: """
                    INSERT INTO sign_in_session (id_hash, tenant_id, subject, roles, groups, issuer, csrf_token,
                        created_at, last_seen_at, expires_at, renew_at, refresh_token, id_token)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.idHash, session.tenant, session.subject, Self.encode(session.roles.map(\.rawValue).sorted()),
                    Self.encode(session.groups), session.issuer, session.csrfToken,
                    session.createdAt.timeIntervalSince1970, session.lastSeenAt.timeIntervalSince1970,
                    session.expiresAt.timeIntervalSince1970, session.renewAt.timeIntervalSince1970,
                    try session.refreshToken.map { try cipher.encrypt($0, tenant: session.tenant, in: db) },
                    try session.idToken.map { try cipher.encrypt($0, tenant: session.tenant, in: db) },
                ])
        }
    }

    public func session(idHash: String) async throws -> SignInSession? {
        let cipher = database.cipher
        return try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sign_in_session WHERE id_hash = ?", arguments: [idHash])
                .map { try Self.session($0, cipher: cipher, db: db) }
        }
    }

    public func touchSession(idHash: String, at: Date) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE sign_in_session SET last_seen_at = ? WHERE id_hash = ?",
                arguments: [at.timeIntervalSince1970, idHash])
        }
    }

    public func renewSession(_ session: SignInSession) async throws {
        let cipher = database.cipher
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE sign_in_session SET roles = ?, groups = ?, last_seen_at = ?, renew_at = ?, refresh_token = ?,
                        id_token = ?
                    WHERE id_hash = ?
                    """,
                arguments: [
                    Self.encode(session.roles.map(\.rawValue).sorted()), Self.encode(session.groups),
                    session.lastSeenAt.timeIntervalSince1970, session.renewAt.timeIntervalSince1970,
                    try session.refreshToken.map { try cipher.encrypt($0, tenant: session.tenant, in: db) },
                    try session.idToken.map { try cipher.encrypt($0, tenant: session.tenant, in: db) },
                    session.idHash,
                ])
        }
    }

    public func deleteSession(idHash: String) async throws -> SignInSession? {
        let cipher = database.cipher
        return try await database.pool.write { db in
            let found = try Row.fetchOne(db, sql: "SELECT * FROM sign_in_session WHERE id_hash = ?", arguments: [idHash])
                .map { try Self.session($0, cipher: cipher, db: db) }
            try db.execute(sql: "DELETE FROM sign_in_session WHERE id_hash = ?", arguments: [idHash])
            return found
        }
    }

    static func session(_ row: Row, cipher: FieldCipher, db: Database) throws -> SignInSession {
        let tenant: String = row["tenant_id"]
        let roles = try JSONDecoder().decode([String].self, from: Data((row["roles"] as String).utf8))
        return SignInSession(
            idHash: row["id_hash"], tenant: tenant, subject: row["subject"],
            roles: Set(roles.compactMap(Role.init(rawValue:))),
            groups: try JSONDecoder().decode([String].self, from: Data((row["groups"] as String).utf8)),
            issuer: row["issuer"], csrfToken: row["csrf_token"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            lastSeenAt: Date(timeIntervalSince1970: row["last_seen_at"]),
            expiresAt: Date(timeIntervalSince1970: row["expires_at"]),
            renewAt: Date(timeIntervalSince1970: row["renew_at"]),
            refreshToken: try (row["refresh_token"] as String?).map { try cipher.decrypt($0, tenant: tenant, in: db) },
            idToken: try (row["id_token"] as String?).map { try cipher.decrypt($0, tenant: tenant, in: db) })
    }

    static func encode(_ values: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
