import ArgumentParser
import Foundation
import Logging
import PillarGateway
import PillarRetrieval
import PillarServer
import PillarStore

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest a file or a folder (recursively) into a tenant's grounding data.",
        discussion: """
            Works on the database directly; a running server picks the documents up on its next search. \
            Re-running is cheap: unchanged files are skipped, changed ones re-indexed, and documents whose \
            files left the folder are deleted.
            """)

    @Argument(help: "A file or a folder.") var path: String
    @Option(help: "The tenant that owns the documents.") var tenant = "default"
    @Option(help: "Groups allowed to read the documents, comma-separated; none: the whole tenant.") var acl: String?
    @Option(help: "YAML configuration file (the embedding model and chunking come from it).") var config: String?
    @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory: String?
    @Flag(help: "No progress bar.") var quiet = false

    func run() async throws {
        var configuration = try await PillarConfiguration.load(file: config)
        if let dataDirectory { configuration.server.dataDirectory = dataDirectory }
        let groups = (acl ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var logger = Logger(label: "pillar.ingest")
        logger.logLevel = .warning
        let bar = ProgressBar(enabled: !quiet)
        let (path, tenant) = (path, tenant)
        let report = try await withOfflineRetrieval(configuration, tenant: tenant, logger: logger) { retrieval in
            try await retrieval.folderSync.sync(
                path: path, tenant: tenant, aclGroups: groups,
                caller: .init(tenant: tenant, subject: "pillar-ingest"),
                progress: bar.draw)
        }
        bar.finish()
        let changes = report.created + report.updated + report.metadataUpdated + report.removed
        if changes > 0 {
            let database = try PillarDatabase(dataDirectory: configuration.server.dataDirectory)
            try await SQLiteAuditLog(database: database).append(
                tenant: tenant, actor: cliActor, action: "document.ingest", target: path,
                details: [
                    "created": String(report.created), "updated": String(report.updated),
                    "acl_changed": String(report.metadataUpdated), "removed": String(report.removed),
                ])
        }
        print(
            """
            created \(report.created), updated \(report.updated), unchanged \(report.unchanged), \
            ACL changed \(report.metadataUpdated), removed \(report.removed); \(report.chunks) chunks indexed
            """)
        for (file, reason) in report.skipped.sorted(by: { $0.key < $1.key }) {
            print("skipped \(file): \(reason)")
        }
    }
}

/// A one-line progress bar on standard error, redrawn in place when it is a terminal and printed every
/// few seconds otherwise (so a CI log shows progress without thousands of lines).
struct ProgressBar: Sendable {
    let enabled: Bool
    let isTerminal = isatty(STDERR_FILENO) == 1
    let started = ContinuousClock.now

    func draw(_ progress: FolderSync.Progress) {
        guard enabled, progress.filesTotal > 0 else { return }
        let share = Double(progress.filesDone) / Double(progress.filesTotal)
        let width = 30
        let filled = Int(share * Double(width))
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        let rate = elapsed > 0 ? Double(progress.chunks) / elapsed : 0
        let line =
            "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
            + "\(progress.filesDone)/\(progress.filesTotal) files, \(progress.chunks) chunks, "
            + String(format: "%.1f chunks/s", rate)
        if isTerminal {
            FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        } else if progress.filesDone == progress.filesTotal || progress.filesDone % 100 == 0 {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    func finish() {
        if enabled, isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
