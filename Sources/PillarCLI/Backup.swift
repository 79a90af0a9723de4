import ArgumentParser
import Foundation
import PillarCore
import PillarStore

/// `pillar backup --to DIR`: an online, consistent copy of the data directory's database (SQLite's backup
/// API, while the server goes on serving), with the vector index files and the audit chain's head.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Back the database up online into a new directory (consistent while the server runs).")
    @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory = "./pillar-data"
    @Option(help: "A new (or empty) directory for this backup.") var to: String

    func run() async throws {
        let database = try PillarDatabase(dataDirectory: dataDirectory)
        let manifest: BackupManifest
        do {
            manifest = try DatabaseBackup.backup(
                database, dataDirectory: dataDirectory, to: to,
                masterKeySource: database.masterKeySource)
        } catch let error as BackupError {
            print("backup failed: \(error)")
            throw ExitCode(1)
        }
        try await SQLiteAssuranceRepository(database: database).recordBackup(manifest.record(directory: to))
        try await SQLiteAuditLog(database: database).append(
            tenant: "default", actor: cliActor, action: "backup.create", target: manifest.id,
            details: ["directory": to, "audit_head_seq": String(manifest.auditHeadSeq)])
        print(
            "backup \(manifest.id) in \(to): \(manifest.databaseBytes) bytes, \(manifest.auditEvents) audit records "
                + "(head \(manifest.auditHeadSeq) \(manifest.auditHeadHash.prefix(12))…), \(manifest.vectorIndexFiles.count) vector index files"
        )
        if manifest.includesMasterKey {
            print(
                "warning: the master key was generated inside the data directory, so the backup carries it; keep the key apart from the data (PILLAR_MASTER_KEY_FILE)"
            )
        }
    }
}

/// `pillar restore --from DIR`: puts a backup back into a data directory after checking its audit chain up to
/// the head the backup recorded. Stop the server first.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into a data directory, verifying its audit chain (stop the server first).")
    @Option(name: .customLong("data-dir"), help: "The data directory to restore into.") var dataDirectory = "./pillar-data"
    @Option(help: "A directory `pillar backup` wrote.") var from: String
    @Flag(help: "Replace an existing database (kept beside it as pillar.sqlite.before-restore-<time>).") var replace = false

    func run() async throws {
        let manifest: BackupManifest
        do {
            manifest = try DatabaseBackup.restore(from: from, into: dataDirectory, replace: replace)
        } catch let error as BackupError {
            print("restore failed: \(error)")
            throw ExitCode(1)
        }
        // Opening runs any newer migrations and checks that the configured master key opens the data.
        let database = try PillarDatabase(dataDirectory: dataDirectory)
        let audit = SQLiteAuditLog(database: database)
        let verification = try await audit.verify()
        guard verification.isIntact else {
            print("restore failed: the audit chain does not verify: \(verification.problem ?? "")")
            throw ExitCode(1)
        }
        try await audit.append(
            tenant: "default", actor: cliActor, action: "backup.restore", target: manifest.id,
            details: ["from": from, "audit_head_seq": String(manifest.auditHeadSeq)])
        print(
            "restored \(manifest.id) (taken \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: manifest.createdAt)))) "
                + "into \(dataDirectory): audit chain verified, \(verification.events) records up to the backup's head \(manifest.auditHeadSeq)"
        )
    }
}
