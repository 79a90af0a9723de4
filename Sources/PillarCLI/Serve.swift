import ArgumentParser
import Foundation
import Hummingbird
import PillarGateway
import PillarServer
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (embedded defaults with no configuration).")

    @Option(help: "YAML configuration file.") var config: String?
    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on.") var port: Int?
    @Option(name: .customLong("data-dir"), help: "Where the SQLite database and logs live.") var dataDirectory: String?
    @Option(
        name: .customLong("secrets-dir"),
        help: "A directory of one file per setting (server-port, …); default: $PILLAR_SECRETS_DIR.")
    var secretsDirectory: String?
    @Argument(
        parsing: .allUnrecognized,
        help: "Any setting as --<key path in kebab case> <value>, e.g. --gateway-max-attempts 2 (see docs/configuration.md).")
    var settings: [String] = []

    func run() async throws {
        var configuration = try await PillarConfiguration.load(
            file: config, arguments: settings, secretsDirectory: secretsDirectory)
        if let host { configuration.server.host = host }
        if let port { configuration.server.port = port }
        if let dataDirectory { configuration.server.dataDirectory = dataDirectory }
        try configuration.validate()
        let observability = try Observability.bootstrap(
            service: "pillar", logFormat: configuration.server.logFormat, logLevel: configuration.server.logLevel.rawValue)
        let app = try await buildApplication(
            configuration, metricsRegistry: observability.metricsRegistry,
            childLauncher: .currentPillar, logger: observability.logger,
            // Unbuffered, so the once-shown first key is written even when stdout is a file.
            announce: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) })
        let services: [any Service] = observability.services + [app]
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: observability.logger)
        // Past the drain time, what is still running is cancelled: a request stuck on an upstream cannot keep
        // the process from exiting.
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.server.drainSeconds * 1000))
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
