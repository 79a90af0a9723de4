import ArgumentParser
import Foundation
import PillarCore
import PillarServer
import PillarStore

/// `pillar erase --subject S`: the right to erasure, on the database directly (the server may be running).
struct Erase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove every trace of one user's data: conversations, traces, feedback, consent; usage records lose the name.")
    @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory = "./pillar-data"
    @Option(help: "The user: an API key id (key_…) or a subject as Pillar names it (oidc:…, see docs/identity.md).") var subject:
        String
    @Option(help: "The OIDC issuer the user signed in with: --subject is then the raw claim (sub or oid).") var issuer: String?
    @Option var tenant = "default"

    func run() async throws {
        let database = try PillarDatabase(dataDirectory: dataDirectory)
        let named = issuer.map { OIDCSubject.named(subject, issuer: $0) } ?? subject
        let counts = try await Erasure.erase(
            subject: named, tenant: tenant, store: SQLiteDataProtectionRepository(database: database),
            audit: SQLiteAuditLog(database: database), cipher: database.cipher, actor: cliActor)
        print(
            "erased: \(counts.conversations) conversations (\(counts.messages) messages), \(counts.traces) traces, "
                + "\(counts.feedback) feedback; \(counts.turnsAnonymised) usage records no longer name the subject")
    }
}
