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

    func run() async throws {
        var configuration = try PillarConfiguration.load(file: config)
        if let host { configuration.server.host = host }
        if let port { configuration.server.port = port }
        if let dataDirectory { configuration.server.dataDirectory = dataDirectory }
        try configuration.validate()
        let observability = try Observability.bootstrap(
            service: "pillar", logFormat: configuration.server.logFormat, logLevel: configuration.server.logLevel)
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
