import ArgumentParser
import Foundation
import PillarCore

/// `pillar eval gate`: runs the candidate (and the baseline, unless a run or a marked baseline stands in for
/// it) on the dataset, holds the candidate against the baseline under a requirement, and exits 1 when it
/// fails, saying why. The verdict is recorded: it is what lets a version be promoted under `requireEval`.
struct EvalGate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate", abstract: "Run candidate and baseline, and pass or fail the candidate under a requirement.")
    @OptionGroup var server: EvalServerOptions
    @OptionGroup var options: EvalRunOptions
    @Option(help: "The dataset (NAME or NAME@VERSION).") var dataset: String
    @Option(help: "The candidate flow: rag@canary (prompts follow the label), rag@3.") var candidate = "rag"
    @Option(name: .customLong("candidate-prompt"), help: "Pin a prompt version for the candidate (repeatable).")
    var candidatePrompts: [String] = []
    @Option(name: .customLong("candidate-model")) var candidateModel: String?
    @Option(name: .customLong("candidate-run"), help: "Use this finished run as the candidate instead of running one.")
    var candidateRun: String?
    @Option(help: "The baseline flow, run now (default: the dataset's marked baseline run).") var baseline: String?
    @Option(name: .customLong("baseline-prompt"), help: "Pin a prompt version for the baseline (repeatable).")
    var baselinePrompts: [String] = []
    @Option(name: .customLong("baseline-model")) var baselineModel: String?
    @Option(name: .customLong("baseline-run"), help: "Use this finished run as the baseline.") var baselineRun: String?
    @Option(help: "Clauses separated by ';': groundedness>=4.0; citations_recall>=baseline-0.02; p<0.05") var require: String

    func run() async throws {
        let client = try server.client()
        let (name, version) = try EvalDatasetName.split(dataset)
        func start(_ flow: String, prompts: [String], model: String?, role: String) async throws -> String {
            var spec = try options.spec(dataset: name, flow: flow, prompts: prompts, model: model, note: "gate \(role)")
            spec.datasetVersion = version
            let started = try await client.json(EvalRunRecord.self, .POST, "/v1/admin/eval/runs", body: spec)
            FileHandle.standardError.write(
                Data("\(role): \(started.id) (\(started.versions.flow.name)@\(started.versions.flow.version))\n".utf8))
            return started.id
        }
        let candidateID: String
        if let candidateRun {
            candidateID = candidateRun
        } else {
            candidateID = try await start(candidate, prompts: candidatePrompts, model: candidateModel, role: "candidate")
        }
        var baselineID = baselineRun
        if baselineID == nil, let baseline {
            baselineID = try await start(baseline, prompts: baselinePrompts, model: baselineModel, role: "baseline")
        }
        let progress = EvalProgress(client: client)
        for id in [candidateID, baselineID].compactMap({ $0 }) {
            let ended = try await progress.follow(id)
            guard ended.status == .completed else {
                print("gate not decided: run \(id) is \(ended.status.rawValue)\(ended.error.map { " (\($0))" } ?? "")")
                throw ExitCode(2)
            }
        }
        struct Request: Encodable {
            var candidate: String
            var baseline: String?
            var require: String
        }
        struct Decided: Decodable {
            var gate: EvalGateRecord
            var summary: String
        }
        let decided = try await client.json(
            Decided.self, .POST, "/v1/admin/eval/gates",
            body: Request(candidate: candidateID, baseline: baselineID, require: require))
        print(decided.summary)
        print(
            "gate \(decided.gate.id): \(decided.gate.passed ? "PASSED" : "FAILED") (candidate \(decided.gate.candidateRunID), baseline \(decided.gate.baselineRunID))"
        )
        if !decided.gate.passed { throw ExitCode(1) }
    }
}
