import ArgumentParser
import Foundation
import PillarCore
import PillarStore

/// Who acts when a command changes something: the operating-system user.
let cliActor = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown")

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the audit log and check that its hash chain is whole.",
        subcommands: [Verify.self, List.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every record's hash and link; exit 1 when the chain is broken.")
        @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory = "./pillar-data"

        func run() async throws {
            let result = try await SQLiteAuditLog(database: PillarDatabase(dataDirectory: dataDirectory)).verify()
            if result.isIntact {
                print("audit log intact: \(result.events) records")
            } else {
                print("audit log BROKEN at record \(result.firstBrokenSeq ?? 0): \(result.problem ?? "")")
                throw ExitCode(1)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest records, of one tenant or all.")
        @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory = "./pillar-data"
        @Option var tenant: String?
        @Option var limit = 50

        func run() async throws {
            let events = try await SQLiteAuditLog(database: PillarDatabase(dataDirectory: dataDirectory)).events(
                tenant: tenant, limit: limit)
            print("seq\tat\ttenant\tactor\taction\ttarget\tdetails")
            for event in events {
                let at = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: event.at))
                let details = event.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print("\(event.seq)\t\(at)\t\(event.tenant)\t\(event.actor)\t\(event.action)\t\(event.target)\t\(details)")
            }
        }
    }
}
