import ArgumentParser
import Foundation
import Logging
import PillarMonitoring
import PillarServer

/// `pillar monitors list|show|test`: the running server's monitors, as `/v1/admin/monitors` reports them (the
/// states live in the server that computes them).
struct Monitors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitors",
        abstract: "Production quality monitors: their states per tenant, flow and label, and test alerts.",
        subcommands: [List.self, Show.self, Test.self, Listen.self])

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    static func value(_ number: Double?) -> String { number.map { String(format: "%.4g", $0) } ?? "-" }

    static func threshold(_ spec: MonitorSpec) -> String {
        let sign = spec.direction == .below ? "<" : ">"
        return (spec.warning.map { "warn \(sign) \(value($0)), " } ?? "") + "alert \(sign) \(value(spec.alert))"
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every monitor with its worst level and thresholds.")
        @OptionGroup var server: EvalServerOptions

        func run() async throws {
            let data = try await server.client().send(.GET, "/v1/admin/monitors")
            let listing = try Monitors.decoder.decode(MonitorReport.Listing.self, from: data)
            print("monitor\tsignal\tlevel\tscopes\tthresholds\twindow")
            for view in listing.data {
                print(
                    "\(view.spec.name)\t\(view.spec.signal.rawValue)\t\(view.level.rawValue)\t\(view.scopes.count)\t"
                        + "\(Monitors.threshold(view.spec))\t\(view.spec.windowSeconds)s")
            }
            let evaluated = listing.evaluatedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "not yet"
            print("last evaluated: \(evaluated)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One monitor: each scope's state and the latest transitions.")
        @OptionGroup var server: EvalServerOptions
        @Argument(help: "The monitor's name.") var name: String

        func run() async throws {
            let data = try await server.client().send(.GET, "/v1/admin/monitors/\(EvalClient.escape(name))")
            let view = try Monitors.decoder.decode(MonitorReport.self, from: data)
            let spec = view.spec
            print(
                "\(spec.name): \(spec.signal.rawValue) over \(spec.windowSeconds)s, \(Monitors.threshold(spec)), "
                    + "at least \(spec.minimumSamples) samples (no data: \(spec.noData.rawValue)), hysteresis \(Monitors.value(spec.hysteresis)), "
                    + "clears after \(spec.clearAfter) rounds")
            print("tenant\tflow\tlabel\tlevel\tvalue\tsamples\tsince")
            let format = ISO8601DateFormatter()
            for scope in view.scopes {
                print(
                    "\(scope.tenant)\t\(scope.flow)\t\(scope.label ?? "-")\t\(scope.state.level.rawValue)\t"
                        + "\(Monitors.value(scope.state.lastValue))\t\(scope.state.lastSamples)\t\(format.string(from: scope.state.since))"
                )
            }
            for change in view.transitions ?? [] {
                let transition = change.transition
                print(
                    "\(format.string(from: transition.at))\t\(change.tenant)\t\(change.flow)@\(change.label ?? "-")\t"
                        + "\(transition.from.rawValue) -> \(transition.to.rawValue)\t\(transition.reason)")
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a test alert for a monitor through the webhooks now, and report each delivery.")
        @OptionGroup var server: EvalServerOptions
        @Argument(help: "The monitor's name.") var name: String
        @Option(help: "Only this webhook (by its configured name).") var webhook: String?

        struct Delivery: Decodable {
            var endpoint: String
            var delivered: Bool
            var attempts: Int
            var status: Int?
            var error: String?
        }

        struct Result: Decodable {
            var event: String
            var deliveries: [Delivery]
        }

        func run() async throws {
            let body = try JSONEncoder().encode(["webhook": webhook])
            let data = try await server.client().send(.POST, "/v1/admin/monitors/\(EvalClient.escape(name))/test", body: body)
            let result = try Monitors.decoder.decode(Result.self, from: data)
            guard !result.deliveries.isEmpty else {
                print("event \(result.event): no webhook takes it (monitoring.webhooks); it was logged only")
                return
            }
            for delivery in result.deliveries {
                let outcome = delivery.delivered ? "delivered" : "failed: \(delivery.error ?? "unknown")"
                print(
                    "\(delivery.endpoint)\t\(outcome)\tattempts \(delivery.attempts)\tstatus \(delivery.status.map(String.init) ?? "-")"
                )
            }
            if result.deliveries.contains(where: { !$0.delivered }) { throw ExitCode(1) }
        }
    }

    struct Listen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive alerts as a webhook would and print them (for trying monitors and canaries out).")
        @Option var host = "127.0.0.1"
        @Option var port = 9103
        @Option(
            name: .customLong("secret-env"),
            help: "The environment variable holding the webhook's HMAC secret; deliveries are then checked.")
        var secretEnvironment: String?

        func run() async throws {
            var secret: [UInt8]?
            if let secretEnvironment {
                guard let value = ProcessInfo.processInfo.environment[secretEnvironment], !value.isEmpty else {
                    throw ValidationError("\(secretEnvironment) is not set")
                }
                secret = Array(value.utf8)
            }
            // Unbuffered, so that a pipe or a file shows each alert as it arrives.
            let output: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
            output(
                "listening for alerts on http://\(host):\(port)/ (\(secret == nil ? "signatures not checked" : "signatures checked"))"
            )
            let app = buildWebhookReceiverApplication(
                host: host, port: port, secret: secret,
                logger: Logger(label: "pillar.webhook-receiver"), print: output)
            try await app.runService()
        }
    }
}
