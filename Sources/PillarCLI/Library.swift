import ArgumentParser
import Foundation
import PillarCore
import PillarEval
import PillarFlows
import PillarMonitoring
import PillarServer
import PillarStore

/// `pillar prompts …` and `pillar flows …`: the prompt and flow libraries from the command line, on the
/// database directly (the server may be running), with the checks the API makes.
protocol LibraryKindMarker {
    static var kind: LibraryKind { get }
    static var plural: String { get }
}

enum PromptKind: LibraryKindMarker {
    static var kind: LibraryKind { .prompt }
    static var plural: String { "prompts" }
}

enum FlowKind: LibraryKindMarker {
    static var kind: LibraryKind { .flow }
    static var plural: String { "flows" }
}

typealias Prompts = LibraryCommand<PromptKind>
typealias Flows = LibraryCommand<FlowKind>

struct LibraryCommand<Kind: LibraryKindMarker>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Kind.plural,
            abstract: "Manage the \(Kind.kind.rawValue) library: versions, labels, canaries, promotion and rollback.",
            subcommands: [List.self, Show.self, Status.self, Create.self, Diff.self, Label.self, Promote.self, Rollback.self])
    }

    struct Location: ParsableArguments {
        @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory: String?
        @Option(help: "YAML configuration file (flows.allowedHosts, the data directory).") var config: String?
        @Option(help: "The tenant whose library this is.") var tenant = "default"

        /// The tenant's library (the tenant is created when new, as `pillar keys create` does).
        func open() async throws -> AnyLibrary {
            var configuration = try await PillarConfiguration.load(file: config)
            if let dataDirectory { configuration.server.dataDirectory = dataDirectory }
            let database = try PillarDatabase(dataDirectory: configuration.server.dataDirectory)
            _ = try await SQLiteTenantRepository(database: database).ensureTenant(tenant)
            let repository = SQLiteLibraryRepository(database: database)
            let audit = SQLiteAuditLog(database: database)
            // The same promotion rule as the API: under requireEval, only versions a passing gate vouches for.
            let promotion = configuration.promotion
            let approval = EvalPromotionApproval(store: SQLiteEvalRepository(database: database), audit: audit) { tenant in
                promotion.policy(for: tenant).requireEval
            }
            switch Kind.kind {
            case .prompt: return AnyLibrary(ShippedLibrary.promptLibrary(repository, approval: approval), audit: audit)
            case .flow:
                return AnyLibrary(
                    ShippedLibrary.flowLibrary(
                        repository, allowedHosts: Set(configuration.flows.allowedHosts),
                        approval: approval),
                    audit: audit)
            }
        }

        /// The canary analyses, which live beside the library in the same database.
        func analyses() async throws -> any QualityRepository {
            var configuration = try await PillarConfiguration.load(file: config)
            if let dataDirectory { configuration.server.dataDirectory = dataDirectory }
            return SQLiteQualityRepository(database: try PillarDatabase(dataDirectory: configuration.server.dataDirectory))
        }
    }

    struct Status: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            .init(abstract: "Each label's split and its canary analysis: step, weight, failures and the latest decisions.")
        }
        @OptionGroup var location: Location
        @Argument var name: String
        @Option(help: "How many of the newest decisions to show per analysis.") var decisions = 5

        func run() async throws {
            let labels = try await location.open().labels(location.tenant, name)
            guard !labels.isEmpty else { throw ValidationError("\(name) has no labels") }
            let store = try await location.analyses()
            let format = ISO8601DateFormatter()
            for label in labels {
                print("label \(describe(label))")
                guard
                    let record = try await store.latestAnalysis(
                        tenant: location.tenant, kind: Kind.kind, name: name,
                        label: label.label)
                else {
                    print("  no canary analysis")
                    continue
                }
                let state = try JSONDecoder().decode(CanaryAnalysisState.self, from: Data(record.state.utf8))
                let spec = try JSONDecoder().decode(CanaryAnalysisSpec.self, from: Data(record.spec.utf8))
                print(
                    "  analysis \(record.id): v\(record.candidateVersion) against v\(record.stableVersion), \(state.status.rawValue), "
                        + "step \(state.stepIndex + 1) of \(spec.steps.count) at \(state.weight)%, failures \(state.failures) of \(spec.failureLimit), "
                        + "started by \(record.startedBy)")
                for decision in state.decisions.suffix(max(0, decisions)) {
                    print(
                        "  \(format.string(from: decision.at))\t\(decision.action.rawValue)\t\(decision.fromWeight)% -> \(decision.toWeight)%\t\(decision.reason)"
                    )
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static var configuration: CommandConfiguration { .init(abstract: "List names with their newest version and labels.") }
        @OptionGroup var location: Location

        func run() async throws {
            let library = try await location.open()
            print("name\tlatest\tlabels")
            for entry in try await library.entries(location.tenant) {
                print("\(entry.name)\t\(entry.latestVersion)\t\(entry.labels.map(describe).joined(separator: " "))")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            .init(abstract: "Show a name's versions and labels, or one version's body.")
        }
        @OptionGroup var location: Location
        @Argument var name: String
        @Option(help: "Print this version's body.") var version: Int?

        func run() async throws {
            let library = try await location.open()
            let versions = try await library.versions(location.tenant, name)
            guard !versions.isEmpty else { throw ValidationError("there is no \(Kind.kind.rawValue) named \(name)") }
            if let version {
                guard let record = versions.first(where: { $0.version == version }) else {
                    throw ValidationError("\(name) has no version \(version)")
                }
                print(record.body)
                return
            }
            print("version\tcreated\tby\tnote")
            for record in versions {
                let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: record.createdAt))
                print("\(record.version)\t\(created)\t\(record.createdBy)\t\(record.note ?? "")")
            }
            for label in try await library.labels(location.tenant, name) { print("label \(describe(label))") }
        }
    }

    struct Create: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            .init(
                abstract: Kind.kind == .prompt
                    ? "Save a prompt's next version from a JSON file ({variables, parameters, messages})."
                    : "Save a flow's next version from a YAML file (named by its `name:`).")
        }
        @OptionGroup var location: Location
        @Option(help: "The prompt's name (flows are named by their file).") var name: String?
        @Option(help: "The definition file.") var file: String
        @Option(help: "What changed, for the history.") var note: String?

        func run() async throws {
            let library = try await location.open()
            let body = try String(contentsOfFile: file, encoding: .utf8)
            let saveName: String
            switch Kind.kind {
            case .prompt:
                guard let name else { throw ValidationError("--name is required for a prompt") }
                saveName = name
            case .flow:
                saveName = try CompiledFlowName.of(body)
            }
            let saved = try await library.save(location.tenant, saveName, body, note)
            print("saved \(saved.name)@\(saved.version)" + (saved.version == 1 ? " (labelled production)" : ""))
        }
    }

    struct Diff: AsyncParsableCommand {
        static var configuration: CommandConfiguration { .init(abstract: "Show what changed between two versions.") }
        @OptionGroup var location: Location
        @Argument var name: String
        @Argument var from: Int
        @Argument var to: Int

        func run() async throws {
            let text = try await location.open().diff(location.tenant, name, from, to)
            print(text.isEmpty ? "(no difference)" : text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }

    struct Label: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            .init(abstract: "Point a label at a version, or split it between versions for a canary (--split 1:90,2:10).")
        }
        @OptionGroup var location: Location
        @Argument var name: String
        @Argument var label: String
        @Option var version: Int?
        @Option(help: "VERSION:PERCENT pairs adding up to 100.") var split: String?

        func run() async throws {
            let shares: [WeightedVersion]
            switch (version, split) {
            case (let version?, nil): shares = [WeightedVersion(version: version, weight: 100)]
            case (nil, let split?):
                shares = try split.split(separator: ",").map { pair in
                    let parts = pair.split(separator: ":")
                    guard parts.count == 2, let version = Int(parts[0]), let weight = Int(parts[1]) else {
                        throw ValidationError("--split takes VERSION:PERCENT pairs, like 1:90,2:10")
                    }
                    return WeightedVersion(version: version, weight: weight)
                }
            default: throw ValidationError("give --version or --split")
            }
            let updated = try await location.open().setLabel(location.tenant, name, label, shares)
            print("\(name) \(describe(updated))")
        }
    }

    struct Promote: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            .init(abstract: "Give one label what another points at (staging → production).")
        }
        @OptionGroup var location: Location
        @Argument var name: String
        @Option var from = "staging"
        @Option var to = "production"

        func run() async throws {
            let updated = try await location.open().promote(location.tenant, name, from, to)
            print("\(name) \(describe(updated))")
        }
    }

    struct Rollback: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            .init(abstract: "Return a label to where it pointed before its last change.")
        }
        @OptionGroup var location: Location
        @Argument var name: String
        @Argument var label = "production"

        func run() async throws {
            let updated = try await location.open().rollback(location.tenant, name, label)
            print("\(name) \(describe(updated))")
        }
    }
}

func describe(_ label: LibraryLabel) -> String {
    label.label + "="
        + label.split.map { label.split.count == 1 ? "\($0.version)" : "\($0.version):\($0.weight)%" }.joined(separator: ",")
}

/// A flow file's `name:`, read without validating the rest (saving validates it).
enum CompiledFlowName {
    static func of(_ yaml: String) throws -> String {
        for line in yaml.split(separator: "\n") where line.hasPrefix("name:") {
            let name = line.dropFirst(5).trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\"'"))
            if !name.isEmpty { return name }
        }
        throw ValidationError("the flow file has no top-level name:")
    }
}

/// Either library behind one face, so the commands need not be written twice.
struct AnyLibrary {
    let entries: (String) async throws -> [LibraryEntry]
    let versions: (String, String) async throws -> [LibraryVersion]
    let labels: (String, String) async throws -> [LibraryLabel]
    let save: (String, String, String, String?) async throws -> LibraryVersion
    let diff: (String, String, Int, Int) async throws -> String
    let setLabel: (String, String, String, [WeightedVersion]) async throws -> LibraryLabel
    let promote: (String, String, String, String) async throws -> LibraryLabel
    let rollback: (String, String, String) async throws -> LibraryLabel

    /// Every change is also written to the audit log, as the API does.
    init<Compiled: Sendable>(_ library: VersionedLibrary<Compiled>, audit: any AuditLog) {
        let by = cliActor
        let kind = library.kind.rawValue
        func split(_ shares: [WeightedVersion]) -> String { shares.map { "\($0.version):\($0.weight)" }.joined(separator: ",") }
        entries = { try await library.entries(tenant: $0) }
        versions = { try await library.versions(tenant: $0, name: $1) }
        labels = { try await library.labels(tenant: $0, name: $1) }
        save = { tenant, name, body, note in
            let saved = try await library.save(tenant: tenant, name: name, body: body, note: note, by: by)
            try await audit.append(
                tenant: tenant, actor: by, action: "\(kind).save", target: name,
                details: ["version": String(saved.version)])
            return saved
        }
        diff = { try await library.diff(tenant: $0, name: $1, from: $2, to: $3) }
        setLabel = { tenant, name, label, shares in
            let updated = try await library.setLabel(tenant: tenant, name: name, label: label, split: shares, by: by)
            try await audit.append(
                tenant: tenant, actor: by, action: "\(kind).label", target: name,
                details: ["label": label, "split": split(shares)])
            return updated
        }
        promote = { tenant, name, from, to in
            let updated = try await library.promote(tenant: tenant, name: name, from: from, to: to, by: by)
            try await audit.append(
                tenant: tenant, actor: by, action: "\(kind).promote", target: name,
                details: ["from": from, "to": to, "split": split(updated.split)])
            return updated
        }
        rollback = { tenant, name, label in
            let restored = try await library.rollback(tenant: tenant, name: name, label: label, by: by)
            try await audit.append(
                tenant: tenant, actor: by, action: "\(kind).rollback", target: name,
                details: ["label": label, "split": split(restored.split)])
            return restored
        }
    }
}
