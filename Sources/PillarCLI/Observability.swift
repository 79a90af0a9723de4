import Foundation
import Logging
import Metrics
import OTel
import PillarServer
import Prometheus
import ServiceLifecycle
import Tracing

/// Bootstraps logging, metrics and tracing once for the process. Logs carry the trace and span ids of the
/// current span. Metrics are kept for Prometheus to scrape. When `OTEL_EXPORTER_OTLP_ENDPOINT` is set, traces,
/// metrics and logs all go out over OTLP/HTTP as well, so one backend holds the three correlated by trace id
/// (otherwise spans are still made, so ids exist, but nothing is exported).
struct Observability {
    var logger: Logger
    var metricsRegistry: PrometheusCollectorRegistry
    /// The exporters' background work, run beside the server.
    var services: [any Service]

    static func bootstrap(service: String, logFormat: PillarConfiguration.LogFormat, logLevel: String) throws -> Observability {
        let environment = ProcessInfo.processInfo.environment
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var configuration = OTel.Configuration.default
        configuration.serviceName = service
        configuration.diagnosticLogLevel = .warning
        let exportingAll = environment["OTEL_EXPORTER_OTLP_ENDPOINT"].map { !$0.isEmpty } ?? false
        let exportingTraces = exportingAll || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].map { !$0.isEmpty } ?? false
        for protocolSetting in [
            \OTel.Configuration.traces.otlpExporter.protocol, \.logs.otlpExporter.protocol,
            \.metrics.otlpExporter.protocol,
        ] {
            configuration[keyPath: protocolSetting] = .httpProtobuf
        }
        configuration.logs.enabled = exportingAll
        configuration.logs.exporter = exportingAll ? .otlp : .none
        configuration.logs.level =
            switch level {
            case .trace: .trace
            case .debug: .debug
            case .info, .notice: .info
            case .warning: .warning
            case .error, .critical: .error
            }
        configuration.metrics.enabled = exportingAll
        configuration.metrics.exporter = exportingAll ? .otlp : .none
        configuration.traces.exporter = exportingTraces ? .otlp : .none
        var services: [any Service] = []

        let metadataProvider = OTel.makeLoggingMetadataProvider()
        let exportedLogs: (@Sendable (String) -> any LogHandler)?
        if exportingAll {
            let logging = try OTel.makeLoggingBackend(configuration: configuration)
            exportedLogs = logging.factory
            services.append(logging.service)
        } else {
            exportedLogs = nil
        }
        LoggingSystem.bootstrap(
            { label, provider in
                var local: any LogHandler
                switch logFormat {
                case .json: local = JSONLogHandler(label: label, metadataProvider: provider)
                case .text: local = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                }
                local.logLevel = level
                guard let exportedLogs else { return local }
                var exported = exportedLogs(label)
                exported.logLevel = level
                return MultiplexLogHandler([local, exported])
            }, metadataProvider: metadataProvider)

        let registry = PrometheusCollectorRegistry()
        var prometheus = PrometheusMetricsFactory(registry: registry)
        prometheus.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60),
        ]
        if exportingAll {
            let metrics = try OTel.makeMetricsBackend(configuration: configuration)
            MetricsSystem.bootstrap(MultiplexMetricsHandler(factories: [prometheus, metrics.factory]))
            services.append(metrics.service)
        } else {
            MetricsSystem.bootstrap(prometheus)
        }

        let tracing = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracing.factory)
        services.append(tracing.service)
        return Observability(logger: Logger(label: "pillar"), metricsRegistry: registry, services: services)
    }
}

/// One JSON object a line on standard error, with the metadata (trace ids among it) as fields.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, metadataProvider: Logger.MetadataProvider?) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: Any] = [
            "time": ISO8601DateFormatter().string(from: Date()), "level": event.level.rawValue,
            "logger": label, "message": event.message.description,
        ]
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { _, new in new }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged { fields[key] = Self.unpack(value) }
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(line)
    }

    static func unpack(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return values.map(unpack)
        case .dictionary(let values): return values.mapValues(unpack)
        }
    }
}
