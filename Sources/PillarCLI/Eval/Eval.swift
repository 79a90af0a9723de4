import ArgumentParser
import Foundation
import PillarCore
import PillarEval

/// `pillar eval …`: datasets, runs, comparisons, baselines and gates, on a running server (runs take the path
/// users' questions take, so they must run where the models, guards and index are).
struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate flows, prompts and models on datasets, compare runs and gate promotions.",
        subcommands: [
            EvalDatasets.self, EvalRun.self, EvalResume.self, EvalCancel.self, EvalRuns.self, EvalShow.self,
            EvalCompare.self, EvalBaseline.self, EvalGate.self, EvalReferenceCommand.self,
        ])
}

/// What `run` and `gate` send for one side: the flow, pinned prompts, a model, how often and how widely.
struct EvalRunOptions: ParsableArguments {
    @Option(name: .customLong("repeat"), help: "Ask every item this many times (pass^k, judge variance).") var repeats = 1
    @Option(help: "Questions in flight at once (2 suits the embedded model on two cores).") var concurrency = 2
    @Option(name: .customLong("group"), help: "A group retrieval filters by, as if its member asked (repeatable).")
    var groups: [String] = []
    @Option(help: "Metrics to score, comma-separated (default: all).") var metrics: String?
    @Option(help: "A YAML file of custom scorers.") var scorers: String?
    @Option(name: .customLong("judge-model"), help: "The model judges use.") var judgeModel: String?

    func spec(dataset: String, flow: String, prompts: [String], model: String?, note: String?) throws -> EvalRunSpec {
        let scorerText = try scorers.map { try String(contentsOfFile: $0, encoding: .utf8) }
        return EvalRunSpec(
            dataset: dataset, flow: flow, prompts: prompts, model: model, repeats: repeats,
            concurrency: concurrency, groups: groups,
            metrics: metrics.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? [],
            judgeModel: judgeModel, scorers: scorerText, note: note)
    }
}

/// Prints a run's outcome; a run that did not complete is a failure of the command.
func report(_ run: EvalRunRecord) throws {
    print(
        "run \(run.id): \(run.status.rawValue), \(run.done)/\(run.total) answers, \(run.promptTokens + run.completionTokens) tokens, $\(String(format: "%.4f", run.costUSD))"
    )
    if let error = run.error { print("  \(error)") }
    guard run.status == .completed else { throw ExitCode(2) }
}

struct EvalRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a dataset through a flow (as production answers), score it and save the run.")
    @OptionGroup var server: EvalServerOptions
    @OptionGroup var options: EvalRunOptions
    @Option(help: "The dataset (NAME or NAME@VERSION).") var dataset: String
    @Option(help: "The flow: rag, rag@candidate (its label; prompts follow it), rag@3.") var flow = "rag"
    @Option(name: .customLong("prompt"), help: "Pin a prompt version: NAME@VERSION (repeatable).") var prompts: [String] = []
    @Option(help: "One model for every llm node.") var model: String?
    @Option(help: "What this run is for, kept with it.") var note: String?
    @Flag(help: "Start the run and return at once, printing its id.") var detach = false

    func run() async throws {
        let client = try server.client()
        var spec = try options.spec(dataset: dataset, flow: flow, prompts: prompts, model: model, note: note)
        (spec.dataset, spec.datasetVersion) = try EvalDatasetName.split(dataset)
        let started = try await client.json(EvalRunRecord.self, .POST, "/v1/admin/eval/runs", body: spec)
        FileHandle.standardError.write(
            Data(
                "started \(started.id): \(started.total) answers (\(started.versions.flow.name)@\(started.versions.flow.version) on \(spec.dataset)@\(started.spec.datasetVersion ?? 0))\n"
                    .utf8))
        if detach {
            print(started.id)
            return
        }
        try report(try await EvalProgress(client: client).follow(started.id))
    }
}

enum EvalDatasetName {
    static func split(_ text: String) throws -> (String, Int?) {
        let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return (text, nil) }
        guard let version = Int(parts[1]), version >= 1 else { throw ValidationError("a dataset is NAME or NAME@VERSION") }
        return (parts[0], version)
    }
}

struct EvalResume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Finish a run that stopped (or follow one that is going).")
    @OptionGroup var server: EvalServerOptions
    @Argument var run: String

    func run() async throws {
        let client = try server.client()
        let current = try await client.json(EvalRunRecord.self, .GET, "/v1/admin/eval/runs/\(EvalClient.escape(run))")
        if current.status != .running {
            _ = try await client.json(EvalRunRecord.self, .POST, "/v1/admin/eval/runs/\(EvalClient.escape(run))/resume")
        }
        try report(try await EvalProgress(client: client).follow(run))
    }
}

struct EvalCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Stop a run that is going.")
    @OptionGroup var server: EvalServerOptions
    @Argument var run: String

    func run() async throws {
        let ended = try await server.client().json(
            EvalRunRecord.self, .POST, "/v1/admin/eval/runs/\(EvalClient.escape(run))/cancel")
        print("run \(ended.id): \(ended.status.rawValue), \(ended.done)/\(ended.total) answers")
    }
}

struct EvalRuns: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List runs, newest first.")
    @OptionGroup var server: EvalServerOptions
    @Option(help: "Only this dataset's runs.") var dataset: String?

    func run() async throws {
        let query = dataset.map { "?dataset=\(EvalClient.escape($0))" } ?? ""
        let runs = try await server.client().all(EvalRunRecord.self, "/v1/admin/eval/runs" + query) { $0.id }
        print("id\tstatus\tdataset\tflow\tprompts\tdone\tcost_usd\tcreated")
        for run in runs {
            let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: run.createdAt))
            let prompts = run.versions.prompts.map { "\($0.name)@\($0.version)" }.joined(separator: ",")
            print(
                "\(run.id)\t\(run.status.rawValue)\t\(run.spec.dataset)@\(run.spec.datasetVersion ?? 0)\t\(run.versions.flow.name)@\(run.versions.flow.version)\t\(prompts)\t\(run.done)/\(run.total)\t\(String(format: "%.4f", run.costUSD))\t\(created)"
            )
        }
    }
}

struct EvalShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "A run's report (Markdown), or its results as JSON.")
    @OptionGroup var server: EvalServerOptions
    @Argument var run: String
    @Flag(help: "Print every result as JSON instead.") var results = false

    func run() async throws {
        let client = try server.client()
        guard results else {
            FileHandle.standardOutput.write(try await client.send(.GET, "/v1/admin/eval/runs/\(EvalClient.escape(run))/report"))
            return
        }
        let all = try await client.all(EvalResult.self, "/v1/admin/eval/runs/\(EvalClient.escape(run))/results") {
            "\($0.itemID)#\($0.repeatIndex)"
        }
        FileHandle.standardOutput.write(try JSONEncoder().encode(["data": all]))
    }
}

struct EvalCompare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract:
            "Compare two runs of a dataset: means, 95% paired bootstrap intervals, permutation p-values, pass^k, regressions.")
    @OptionGroup var server: EvalServerOptions
    @Argument(help: "The baseline run.") var baseline: String
    @Argument(help: "The candidate run.") var candidate: String
    @Option(help: "markdown, json or html.") var format = "markdown"
    @Option(help: "Write the report here instead of standard output.") var output: String?

    func run() async throws {
        guard ["markdown", "json", "html"].contains(format) else {
            throw ValidationError("--format must be markdown, json or html")
        }
        let data = try await server.client().send(
            .GET,
            "/v1/admin/eval/compare?baseline=\(EvalClient.escape(baseline))&candidate=\(EvalClient.escape(candidate))&format=\(format)"
        )
        if let output {
            try data.write(to: URL(fileURLWithPath: output))
            print("wrote \(output)")
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}

struct EvalBaseline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline", abstract: "Mark a completed run as the baseline of its dataset and flow.")
    @OptionGroup var server: EvalServerOptions
    @Argument var run: String

    func run() async throws {
        let marked = try await server.client().json(
            PillarCore.EvalBaseline.self, .POST, "/v1/admin/eval/runs/\(EvalClient.escape(run))/baseline")
        print("baseline of \(marked.dataset) / \(marked.flow): \(marked.runID)")
    }
}
