import ArgumentParser
import Foundation
import PillarCore
import PillarServer
import PillarStore

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API keys (works on the database directly; the server may be running).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Location: ParsableArguments {
        @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory = "./pillar-data"

        func open() throws -> (APIKeyIssuer, SQLiteAPIKeyRepository, SQLiteAuditLog) {
            let database = try PillarDatabase(dataDirectory: dataDirectory)
            let keys = SQLiteAPIKeyRepository(database: database)
            return (APIKeyIssuer(keys: keys, tenants: SQLiteTenantRepository(database: database)), keys,
                    SQLiteAuditLog(database: database))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; its secret is printed once.")
        @OptionGroup var location: Location
        @Option var tenant = "default"
        @Option var name: String
        @Option var role: String = "user"

        func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role must be admin or user") }
            let (issuer, _, audit) = try location.open()
            let created = try await issuer.create(tenant: tenant, name: name, role: role)
            try await audit.append(tenant: tenant, actor: cliActor, action: "key.create", target: created.record.id,
                                   details: ["role": role.rawValue, "name": name])
            print("id:     \(created.record.id)\ntenant: \(tenant)\nrole:   \(role.rawValue)\nkey:    \(created.secret)")
            print("The key is shown this once; store it now.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var location: Location
        @Option(help: "Only this tenant's keys.") var tenant: String?

        func run() async throws {
            let (_, keys, _) = try location.open()
            print("id\ttenant\trole\tname\tprefix\tstatus")
            for key in try await keys.listKeys(tenant: tenant) {
                print("\(key.id)\t\(key.tenant)\t\(key.role.rawValue)\t\(key.name)\t\(key.prefix)…\t\(key.revokedAt == nil ? "active" : "revoked")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; it stops working at once.")
        @OptionGroup var location: Location
        @Argument var id: String

        func run() async throws {
            let (_, keys, audit) = try location.open()
            guard let key = try await keys.listKeys(tenant: nil).first(where: { $0.id == id }),
                  try await keys.revokeKey(id: id, tenant: nil) else { throw ValidationError("no key with id \(id)") }
            try await audit.append(tenant: key.tenant, actor: cliActor, action: "key.revoke", target: id, details: [:])
            print("revoked \(id)")
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or bring the database schema up to date, then exit.")
    @Option(name: .customLong("data-dir")) var dataDirectory = "./pillar-data"

    func run() async throws {
        let database = try PillarDatabase(dataDirectory: dataDirectory)
        print("database \(database.path) at \(try database.appliedMigrations.last ?? "(empty)")")
    }
}
