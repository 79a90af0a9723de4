import Foundation
import GRDB
import PillarCore

/// Prompts and flows: immutable numbered versions, and labels whose every assignment is kept so that a
/// rollback can return to the one before.
public struct SQLiteLibraryRepository: LibraryRepository {
    let database: PillarDatabase

    public init(database: PillarDatabase) { self.database = database }

    public func addVersion(
        tenant: String, kind: LibraryKind, name: String, body: String, note: String?,
        createdBy: String
    ) async throws -> LibraryVersion {
        try await database.pool.write { db in
            try Self.insertNextVersion(db, tenant: tenant, kind: kind, name: name, body: body, note: note, createdBy: createdBy)
        }
    }

    static func insertNextVersion(
        _ db: Database, tenant: String, kind: LibraryKind, name: String, body: String,
        note: String?, createdBy: String
    ) throws -> LibraryVersion {
        let next =
            (try Int.fetchOne(
                db,
                sql: """
                    SELECT max(version) FROM library_version WHERE tenant_id = ? AND kind = ? AND name = ?
                    """, arguments: [tenant, kind.rawValue, name]) ?? 0) + 1
        let record = LibraryVersion(
            tenant: tenant, kind: kind, name: name, version: next, body: body, note: note,
            createdBy: createdBy, createdAt: Date().timeIntervalSince1970)
        try db.execute(
            sql: """
                INSERT INTO library_version (tenant_id, kind, name, version, body, note, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [tenant, kind.rawValue, name, next, body, note, createdBy, record.createdAt])
        return record
    }

    public func version(tenant: String, kind: LibraryKind, name: String, version: Int) async throws -> LibraryVersion? {
        try await database.pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM library_version WHERE tenant_id = ? AND kind = ? AND name = ? AND version = ?
                    """, arguments: [tenant, kind.rawValue, name, version]
            ).map(Self.version(from:))
        }
    }

    public func versions(tenant: String, kind: LibraryKind, name: String) async throws -> [LibraryVersion] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM library_version WHERE tenant_id = ? AND kind = ? AND name = ? ORDER BY version
                    """, arguments: [tenant, kind.rawValue, name]
            ).map(Self.version(from:))
        }
    }

    public func entries(tenant: String, kind: LibraryKind) async throws -> [LibraryEntry] {
        try await database.pool.read { db in
            let latest = try Row.fetchAll(
                db,
                sql: """
                    SELECT name, max(version) AS latest FROM library_version WHERE tenant_id = ? AND kind = ?
                    GROUP BY name ORDER BY name
                    """, arguments: [tenant, kind.rawValue])
            return try latest.map { row in
                let name: String = row["name"]
                return LibraryEntry(
                    name: name, latestVersion: row["latest"],
                    labels: try Self.currentLabels(db, tenant: tenant, kind: kind, name: name))
            }
        }
    }

    public func labels(tenant: String, kind: LibraryKind, name: String) async throws -> [LibraryLabel] {
        try await database.pool.read { db in try Self.currentLabels(db, tenant: tenant, kind: kind, name: name) }
    }

    public func setLabel(
        tenant: String, kind: LibraryKind, name: String, label: String, split: [WeightedVersion],
        by: String
    ) async throws -> LibraryLabel {
        try await database.pool.write { db in
            try Self.appendLabel(db, tenant: tenant, kind: kind, name: name, label: label, split: split, by: by)
        }
    }

    public func rollbackLabel(
        tenant: String, kind: LibraryKind, name: String, label: String,
        by: String
    ) async throws -> LibraryLabel? {
        try await database.pool.write { db in
            let live = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq FROM library_label WHERE tenant_id = ? AND kind = ? AND name = ? AND label = ? AND NOT undone
                    ORDER BY seq DESC LIMIT 2
                    """, arguments: [tenant, kind.rawValue, name, label])
            guard live.count == 2 else { return nil }
            let currentSeq: Int64 = live[0]["seq"]
            try db.execute(
                sql: "UPDATE library_label SET undone = 1, undone_by = ?, undone_at = ? WHERE seq = ?",
                arguments: [by, Date().timeIntervalSince1970, currentSeq])
            return try Self.currentLabels(db, tenant: tenant, kind: kind, name: name).first { $0.label == label }
        }
    }

    public func installIfAbsent(
        tenant: String, kind: LibraryKind, name: String, body: String,
        labels: [String]
    ) async throws -> Bool {
        // Nearly always installed already: a read answers that without taking the write lock.
        let count: @Sendable (Database) throws -> Int = { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM library_version WHERE tenant_id = ? AND kind = ? AND name = ?",
                arguments: [tenant, kind.rawValue, name]) ?? 0
        }
        guard try await database.pool.read(count) == 0 else { return false }
        return try await database.pool.write { db in
            guard try count(db) == 0 else { return false }
            let record = try Self.insertNextVersion(
                db, tenant: tenant, kind: kind, name: name, body: body,
                note: "shipped with Pillar", createdBy: "pillar")
            for label in labels {
                _ = try Self.appendLabel(
                    db, tenant: tenant, kind: kind, name: name, label: label,
                    split: [WeightedVersion(version: record.version, weight: 100)], by: "pillar")
            }
            return true
        }
    }

    static func appendLabel(
        _ db: Database, tenant: String, kind: LibraryKind, name: String, label: String,
        split: [WeightedVersion], by: String
    ) throws -> LibraryLabel {
        let record = LibraryLabel(label: label, split: split, updatedBy: by, updatedAt: Date().timeIntervalSince1970)
        let encoded = String(decoding: try JSONEncoder().encode(split), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO library_label (tenant_id, kind, name, label, split, updated_by, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [tenant, kind.rawValue, name, label, encoded, by, record.updatedAt])
        return record
    }

    static func currentLabels(_ db: Database, tenant: String, kind: LibraryKind, name: String) throws -> [LibraryLabel] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT l.* FROM library_label l
                WHERE l.tenant_id = ? AND l.kind = ? AND l.name = ? AND NOT l.undone
                  AND l.seq = (SELECT max(seq) FROM library_label m
                               WHERE m.tenant_id = l.tenant_id AND m.kind = l.kind AND m.name = l.name
                                 AND m.label = l.label AND NOT m.undone)
                ORDER BY l.label
                """, arguments: [tenant, kind.rawValue, name])
        return try rows.map { row in
            let split = try JSONDecoder().decode([WeightedVersion].self, from: Data((row["split"] as String).utf8))
            return LibraryLabel(label: row["label"], split: split, updatedBy: row["updated_by"], updatedAt: row["updated_at"])
        }
    }

    static func version(from row: Row) -> LibraryVersion {
        LibraryVersion(
            tenant: row["tenant_id"], kind: LibraryKind(rawValue: row["kind"]) ?? .prompt, name: row["name"],
            version: row["version"], body: row["body"], note: row["note"], createdBy: row["created_by"],
            createdAt: row["created_at"])
    }
}
