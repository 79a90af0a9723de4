import ArgumentParser
import Foundation
import PillarCore
import PillarServer
import PillarStore

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API keys (works on the database directly; the server may be running).",
        subcommands: [Create.self, List.self, Revoke.self, RotateMaster.self, EncryptExisting.self])

    struct Location: ParsableArguments {
        @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory = "./pillar-data"

        func open() throws -> (APIKeyIssuer, SQLiteAPIKeyRepository, SQLiteAuditLog) {
            let database = try PillarDatabase(dataDirectory: dataDirectory)
            let keys = SQLiteAPIKeyRepository(database: database)
            return (
                APIKeyIssuer(keys: keys, tenants: SQLiteTenantRepository(database: database)), keys,
                SQLiteAuditLog(database: database)
            )
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
            try await audit.append(
                tenant: tenant, actor: cliActor, action: "key.create", target: created.record.id,
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
                print(
                    "\(key.id)\t\(key.tenant)\t\(key.role.rawValue)\t\(key.name)\t\(key.prefix)…\t\(key.revokedAt == nil ? "active" : "revoked")"
                )
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
                try await keys.revokeKey(id: id, tenant: nil)
            else { throw ValidationError("no key with id \(id)") }
            try await audit.append(tenant: key.tenant, actor: cliActor, action: "key.revoke", target: id, details: [:])
            print("revoked \(id)")
        }
    }
}

extension Keys {
    /// Re-wraps every tenant's data key with a new master key; no data is re-encrypted.
    struct RotateMaster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-master",
            abstract: "Re-wrap every tenant's data key with a new master key (the data itself is not re-encrypted).",
            discussion: """
                Stop the server (and any `pillar ingest`) first: a running process keeps the old key. The current key \
                is the one the server uses (PILLAR_MASTER_KEY, PILLAR_MASTER_KEY_FILE, or the data directory's \
                master.key). After rotating, start the server with the new key; when the old key came from the data \
                directory's master.key, that file is replaced with the new key and the old one kept as master.key.old. \
                Running it again after an interruption finishes the job.
                """)
        @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory = "./pillar-data"
        @Option(name: .customLong("new-key-file"), help: "A file holding the new key in base64 (openssl rand -base64 32).")
        var newKeyFile: String

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let new = try MasterKey.read(file: newKeyFile)
            var current = try MasterKey.load(environment: environment, dataDirectory: dataDirectory)
            // Run again after an interruption that already replaced master.key: finish with the kept old key.
            let kept = (dataDirectory as NSString).appendingPathComponent("master.key.old")
            if current.id == new.id, FileManager.default.fileExists(atPath: kept) { current = try MasterKey.read(file: kept) }
            guard new.id != current.id else { throw ValidationError("the new key is the current key") }
            let database = try PillarDatabase(dataDirectory: dataDirectory, masterKey: current)
            let count = try await FieldCipher.rotate(database, from: current, to: new)
            let defaultFile = (dataDirectory as NSString).appendingPathComponent("master.key")
            if current.source == defaultFile {
                try MasterKey.write(current.key, to: defaultFile + ".old")
                try MasterKey.write(new.key, to: defaultFile)
            }
            try await SQLiteAuditLog(database: database).append(
                tenant: "default", actor: cliActor, action: "master_key.rotate", target: new.id,
                details: ["previous": current.id, "data_keys": String(count)])
            print("re-wrapped \(count) tenant data keys: master key \(current.id) -> \(new.id)")
            if current.source != defaultFile {
                print("Start the server with the new key now (PILLAR_MASTER_KEY or PILLAR_MASTER_KEY_FILE=\(newKeyFile)).")
            }
        }
    }
}

extension Keys {
    /// Seals what an older Pillar stored in plaintext.
    struct EncryptExisting: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "encrypt-existing",
            abstract:
                "Encrypt conversation turns, traces, feedback and document text stored before encryption at rest (safe to repeat)."
        )
        @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory = "./pillar-data"

        func run() async throws {
            let database = try PillarDatabase(dataDirectory: dataDirectory)
            let sealed = try await EncryptionBackfill.run(database)
            let total = sealed.values.reduce(0, +)
            for (column, count) in sealed.sorted(by: { $0.key < $1.key }) where count > 0 { print("\(column): \(count)") }
            print("encrypted \(total) values that were stored in plaintext")
            if total > 0 {
                try await SQLiteAuditLog(database: database).append(
                    tenant: "default", actor: cliActor, action: "data.encrypt_existing",
                    target: "all tenants", details: ["values": String(total)])
            }
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
