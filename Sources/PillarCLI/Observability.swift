import Foundation
import Logging
import Metrics
import OTel
import PillarServer
import Prometheus
import ServiceLifecycle
import Tracing

/// Bootstraps logging, metrics and tracing once for the process. Logs carry the trace and span ids of the
/// current span; traces go out over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (otherwise spans
/// are still made, so ids exist, but nothing is exported); metrics are kept for Prometheus to scrape.
struct Observability {
    var logger: Logger
    var metricsRegistry: PrometheusCollectorRegistry
    var tracingService: (any Service)?

    static func bootstrap(service: String, logFormat: PillarConfiguration.LogFormat, logLevel: String) throws -> Observability {
        let environment = ProcessInfo.processInfo.environment
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let metadataProvider = OTel.makeLoggingMetadataProvider()
        LoggingSystem.bootstrap({ label, provider in
            var handler: any LogHandler
            switch logFormat {
            case .json: handler = JSONLogHandler(label: label, metadataProvider: provider)
            case .text: handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
            }
            handler.logLevel = level
            return handler
        }, metadataProvider: metadataProvider)

        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)

        var configuration = OTel.Configuration.default
        configuration.serviceName = service
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.diagnosticLogLevel = .warning
        let exporting = environment["OTEL_EXPORTER_OTLP_ENDPOINT"].map { !$0.isEmpty } ?? false
            || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].map { !$0.isEmpty } ?? false
        configuration.traces.exporter = exporting ? .otlp : .none
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let tracing = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracing.factory)
        return Observability(logger: Logger(label: "pillar"), metricsRegistry: registry, tracingService: tracing.service)
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
