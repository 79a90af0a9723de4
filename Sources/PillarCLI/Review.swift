import ArgumentParser
import Foundation
import PillarServer

/// `pillar review`: the running server's scorecard against the Well-Architected Framework for AI workloads,
/// as `GET /v1/admin/review` computes it (it reads the server's own configuration, gateway and telemetry).
struct Review: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score the running workload against the five pillars of the Well-Architected Framework for AI workloads.",
        discussion: "Exit code 0, or 1 when a check reaches --fail-on. Needs an admin key of the default tenant.")

    @OptionGroup var server: EvalServerOptions
    @Option(help: "table, markdown or json.") var format: String = "table"
    @Option(name: .customLong("fail-on"), help: "Exit 1 when any check is at least this bad: warn or fail.") var failOn: String?
    @Flag(help: "List the checks (id, pillar, principle) instead of running them.") var list = false
    @Option(help: "Also write the report to this file.") var output: String?

    func validate() throws {
        guard ReviewReport.Format(rawValue: format) != nil else {
            throw ValidationError("--format must be table, markdown or json")
        }
        if let failOn, !["warn", "fail"].contains(failOn) { throw ValidationError("--fail-on must be warn or fail") }
    }

    func run() async throws {
        let client = try server.client()
        if list {
            let data = try await client.send(.GET, "/v1/admin/review/checks")
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            for check in object?["data"] as? [[String: Any]] ?? [] {
                print("\(check["id"] ?? "")\t\(check["pillar"] ?? "")\t\(check["title"] ?? "")\t\(check["principle"] ?? "")")
            }
            return
        }
        let data = try await client.send(.GET, "/v1/admin/review")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(ReviewReport.self, from: data)
        let text = try report.rendered(as: ReviewReport.Format(rawValue: format)!)
        print(text)
        if let output { try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: output)) }
        if let failOn, report.fails(at: failOn == "warn" ? .warn : .fail) { throw ExitCode(1) }
    }
}
