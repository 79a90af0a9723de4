import ArgumentParser
import Foundation
import PillarCore
import PillarEval

/// `pillar eval datasets …`: a tenant's datasets on the server.
struct EvalDatasets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets", abstract: "List, show, import, export and make datasets from production traces.",
        subcommands: [List.self, Show.self, Import.self, Export.self, FromTraces.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every dataset with its newest version.")
        @OptionGroup var server: EvalServerOptions

        func run() async throws {
            let datasets = try await server.client().all(EvalDatasetVersion.self, "/v1/admin/eval/datasets") { $0.name }
            print("name\tversion\titems\tsource\tcreated")
            for dataset in datasets {
                let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: dataset.createdAt))
                print("\(dataset.name)\t\(dataset.version)\t\(dataset.itemCount)\t\(dataset.source)\t\(created)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A dataset's versions, or one version's items (JSON).")
        @OptionGroup var server: EvalServerOptions
        @Argument var name: String
        @Option var version: Int?
        @Flag(help: "Print the items.") var items = false

        func run() async throws {
            var query = ["items=\(items)"]
            if let version { query.append("version=\(version)") }
            struct View: Decodable {
                var versions: [EvalDatasetVersion]
                var items: [EvalItem]?
            }
            let client = try server.client()
            if items {
                FileHandle.standardOutput.write(
                    try await client.send(
                        .GET, "/v1/admin/eval/datasets/\(EvalClient.escape(name))?" + query.joined(separator: "&")))
                print()
                return
            }
            let view = try await client.json(
                View.self, .GET, "/v1/admin/eval/datasets/\(EvalClient.escape(name))?" + query.joined(separator: "&"))
            print("version\titems\tsource\tby\tnote")
            for version in view.versions {
                print("\(version.version)\t\(version.itemCount)\t\(version.source)\t\(version.createdBy)\t\(version.note ?? "")")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save a JSONL or CSV file as the dataset's next version (errors name their lines).")
        @OptionGroup var server: EvalServerOptions
        @Argument var name: String
        @Option var file: String
        @Option(help: "jsonl or csv (default: from the file's extension).") var format: String?
        @Option var note: String?

        func run() async throws {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let chosen = format ?? (file.lowercased().hasSuffix(".csv") ? "csv" : "jsonl")
            var path = "/v1/admin/eval/datasets/\(EvalClient.escape(name))?format=\(EvalClient.escape(chosen))"
            if let note { path += "&note=\(EvalClient.escape(note))" }
            let saved = try JSONDecoder().decode(
                EvalDatasetVersion.self,
                from: try await server.client().send(
                    .POST, path, body: data,
                    contentType: chosen == "csv" ? "text/csv" : "application/x-ndjson"))
            print("saved \(saved.name)@\(saved.version): \(saved.itemCount) items")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a dataset version as JSONL or CSV.")
        @OptionGroup var server: EvalServerOptions
        @Argument var name: String
        @Option var version: Int?
        @Option(help: "jsonl or csv.") var format = "jsonl"
        @Option(help: "Write here instead of standard output.") var output: String?

        func run() async throws {
            var path = "/v1/admin/eval/datasets/\(EvalClient.escape(name))/export?format=\(EvalClient.escape(format))"
            if let version { path += "&version=\(version)" }
            let data = try await server.client().send(.GET, path)
            if let output { try data.write(to: URL(fileURLWithPath: output)) } else { FileHandle.standardOutput.write(data) }
        }
    }

    struct FromTraces: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "from-traces",
            abstract:
                "A new version from production: rated answers (feedback) or the newest answers (sample), consenting users only.")
        @OptionGroup var server: EvalServerOptions
        @Argument var name: String
        @Option(help: "feedback or sample.") var selection = "feedback"
        @Option var limit = 200
        @Option var note: String?

        func run() async throws {
            struct Request: Encodable {
                var selection: String
                var limit: Int
                var note: String?
            }
            let saved = try await server.client().json(
                EvalDatasetVersion.self, .POST,
                "/v1/admin/eval/datasets/\(EvalClient.escape(name))/from-traces",
                body: Request(selection: selection, limit: limit, note: note))
            print("saved \(saved.name)@\(saved.version): \(saved.itemCount) items from \(saved.source)")
        }
    }
}

/// `pillar eval reference statistics|retrieval`: Pillar's statistics and retrieval metrics on JSON from
/// standard input, so that tests can hold them against scipy and ranx.
struct EvalReferenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference", abstract: "Compute statistics or retrieval metrics on JSON input (for reference tests).",
        shouldDisplay: false)
    @Argument(help: "statistics or retrieval") var kind: String

    func run() async throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        switch kind {
        case "statistics": FileHandle.standardOutput.write(try StatisticsReference.compute(input))
        case "retrieval": FileHandle.standardOutput.write(try RetrievalReference.compute(input))
        default: throw ValidationError("kind must be statistics or retrieval")
        }
    }
}
