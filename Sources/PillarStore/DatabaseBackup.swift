import Crypto
import Foundation
import GRDB
import PillarCore

/// What a backup directory holds, written last so a directory without it is not a backup.
public struct BackupManifest: Sendable, Hashable, Codable {
    /// What the source database keeps of this backup, for the review's age check.
    public func record(directory: String) -> BackupRecord {
        BackupRecord(
            id: id, at: createdAt, directory: (directory as NSString).standardizingPath, auditHeadSeq: auditHeadSeq,
            auditHeadHash: auditHeadHash, bytes: databaseBytes)
    }

    public var format = 1
    public var id: String
    public var createdAt: Double
    public var source: String
    public var migration: String
    public var databaseSHA256: String
    public var databaseBytes: Int64
    public var auditEvents: Int
    public var auditHeadSeq: Int64
    public var auditHeadHash: String
    /// Vector index files (a cache of the database's vectors, copied before the database so that the copy's
    /// change log brings them up to date), by name, with their SHA-256.
    public var vectorIndexFiles: [String: String]
    /// Set when the data directory held its own generated master key and the backup carries it (the review
    /// fails that setup; a backup without the key could not be read).
    public var includesMasterKey: Bool

    enum CodingKeys: String, CodingKey {
        case format, id, source, migration
        case createdAt = "created_at"
        case databaseSHA256 = "database_sha256"
        case databaseBytes = "database_bytes"
        case auditEvents = "audit_events"
        case auditHeadSeq = "audit_head_seq"
        case auditHeadHash = "audit_head_hash"
        case vectorIndexFiles = "vector_index_files"
        case includesMasterKey = "includes_master_key"
    }
}

public struct BackupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Online backup and restore of a data directory. The database is copied with SQLite's backup API (one
/// read snapshot, so it is consistent while the server goes on writing), never as a file.
public enum DatabaseBackup {
    static let databaseName = "pillar.sqlite"
    static let manifestName = "manifest.json"
    static let indexFolder = "vector-index"

    /// Copies the database under `dataDirectory` into `directory` (which must not exist or be empty), checks
    /// the copy's audit chain and writes the manifest (the caller records it: `AssuranceRepository.recordBackup`).
    public static func backup(
        _ database: PillarDatabase, dataDirectory: String, to directory: String,
        masterKeySource: String?
    ) throws -> BackupManifest {
        let files = FileManager.default
        if files.fileExists(atPath: directory) {
            guard try files.contentsOfDirectory(atPath: directory).isEmpty else {
                throw BackupError("\(directory) is not empty: give a new directory for each backup")
            }
        }
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let target = (directory as NSString).appendingPathComponent(databaseName)

        // The index files first: they are a cache the database's change log completes, so an older index with a
        // newer database is consistent, and the other way round would not be.
        var indexFiles: [String: String] = [:]
        let indexSource = (dataDirectory as NSString).appendingPathComponent(indexFolder)
        if let names = try? files.contentsOfDirectory(atPath: indexSource) {
            let indexTarget = (directory as NSString).appendingPathComponent(indexFolder)
            try files.createDirectory(
                atPath: indexTarget, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for name in names.sorted() where name.hasSuffix(".hnsw") {
                let from = (indexSource as NSString).appendingPathComponent(name)
                let to = (indexTarget as NSString).appendingPathComponent(name)
                // The server replaces these files by rename, so a read sees one whole version.
                guard let data = files.contents(atPath: from) else { continue }
                try data.write(to: URL(fileURLWithPath: to))
                indexFiles[name] = sha256(data)
            }
        }

        let copy = try DatabaseQueue(path: target)
        try database.pool.backup(to: copy)
        let (verification, head, migration) = try copy.read { db in
            let migration =
                try String.fetchOne(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid DESC LIMIT 1") ?? ""
            return (try SQLiteAuditLog.verify(db), try SQLiteAuditLog.head(db), migration)
        }
        try copy.close()
        guard verification.isIntact else {
            throw BackupError(
                "the audit chain of the copy does not verify (\(verification.problem ?? "broken")); the backup in \(directory) is not usable"
            )
        }
        var includesMasterKey = false
        let dataRoot = URL(fileURLWithPath: dataDirectory).standardized.path + "/"
        if let source = masterKeySource, source.contains("/"), URL(fileURLWithPath: source).standardized.path.hasPrefix(dataRoot)
        {
            try files.copyItem(atPath: source, toPath: (directory as NSString).appendingPathComponent("master.key"))
            includesMasterKey = true
        }
        let (digest, size) = try sha256(file: target)
        let manifest = BackupManifest(
            id: "bak_" + RandomHex.make(bytes: 8), createdAt: Date().timeIntervalSince1970, source: database.path,
            migration: migration, databaseSHA256: digest, databaseBytes: size,
            auditEvents: verification.events, auditHeadSeq: head.seq, auditHeadHash: head.hash, vectorIndexFiles: indexFiles,
            includesMasterKey: includesMasterKey)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(manifestName)))
        return manifest
    }

    /// Reads a backup's manifest and checks its database file against it.
    public static func manifest(of directory: String) throws -> BackupManifest {
        let path = (directory as NSString).appendingPathComponent(manifestName)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BackupError("\(directory) holds no \(manifestName): it is not a finished backup")
        }
        let manifest: BackupManifest
        do {
            manifest = try JSONDecoder().decode(BackupManifest.self, from: data)
        } catch {
            throw BackupError("\(path) is not a backup manifest: \(error)")
        }
        guard manifest.format == 1 else { throw BackupError("backup format \(manifest.format) is not one this version reads") }
        let database = (directory as NSString).appendingPathComponent(databaseName)
        guard let (digest, size) = try? sha256(file: database), digest == manifest.databaseSHA256, size == manifest.databaseBytes
        else {
            throw BackupError("the database in \(directory) does not match its manifest (changed or cut short)")
        }
        return manifest
    }

    /// Puts a backup into `dataDirectory`. An existing database there is refused unless `replace`, and then
    /// kept beside it with a `.before-restore` suffix. The restored files are written under temporary names and
    /// renamed into place only after the copy's audit chain verified up to the manifest's head.
    public static func restore(from directory: String, into dataDirectory: String, replace: Bool) throws -> BackupManifest {
        let manifest = try manifest(of: directory)
        let files = FileManager.default
        try files.createDirectory(
            atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let target = (dataDirectory as NSString).appendingPathComponent(databaseName)
        if files.fileExists(atPath: target), !replace {
            throw BackupError("\(target) exists: stop the server and give --replace to restore over it")
        }
        let staging = target + ".restoring"
        for suffix in ["", "-wal", "-shm"] { try? files.removeItem(atPath: staging + suffix) }
        let source = try DatabaseQueue(
            path: (directory as NSString).appendingPathComponent(databaseName),
            configuration: readOnly())
        let restored = try DatabaseQueue(path: staging)
        try source.backup(to: restored)
        try source.close()
        let (verification, head) = try restored.read { db in (try SQLiteAuditLog.verify(db), try SQLiteAuditLog.head(db)) }
        try restored.close()
        guard verification.isIntact, head.seq == manifest.auditHeadSeq, head.hash == manifest.auditHeadHash else {
            try? files.removeItem(atPath: staging)
            throw BackupError(
                "the restored audit chain does not verify up to the manifest's head (seq \(manifest.auditHeadSeq)): \(verification.problem ?? "head differs")"
            )
        }
        if files.fileExists(atPath: target) {
            let aside = target + ".before-restore-\(Int(Date().timeIntervalSince1970))"
            try files.moveItem(atPath: target, toPath: aside)
            for suffix in ["-wal", "-shm"] {
                try? files.moveItem(atPath: target + suffix, toPath: aside + suffix)
            }
        }
        try files.moveItem(atPath: staging, toPath: target)
        // The index files are a cache: the restored database's change log brings them up to date at the next start.
        let indexTarget = (dataDirectory as NSString).appendingPathComponent(indexFolder)
        try? files.removeItem(atPath: indexTarget)
        if !manifest.vectorIndexFiles.isEmpty {
            try files.createDirectory(
                atPath: indexTarget, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let indexSource = (directory as NSString).appendingPathComponent(indexFolder)
            for (name, digest) in manifest.vectorIndexFiles.sorted(by: { $0.key < $1.key }) {
                guard let data = files.contents(atPath: (indexSource as NSString).appendingPathComponent(name)),
                    sha256(data) == digest
                else { continue }  // a damaged cache file is left out and rebuilt from the database
                try data.write(to: URL(fileURLWithPath: (indexTarget as NSString).appendingPathComponent(name)))
            }
        }
        if manifest.includesMasterKey {
            let key = (dataDirectory as NSString).appendingPathComponent("master.key")
            if !files.fileExists(atPath: key) {
                try files.copyItem(atPath: (directory as NSString).appendingPathComponent("master.key"), toPath: key)
                try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
            }
        }
        return manifest
    }

    static func readOnly() -> Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).hexString }

    /// The file's SHA-256 and size, read in pieces: a database can be far larger than memory allows at once.
    static func sha256(file path: String) throws -> (String, Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BackupError("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty {
            hasher.update(data: piece)
            size += Int64(piece.count)
        }
        return (hasher.finalize().hexString, size)
    }
}
