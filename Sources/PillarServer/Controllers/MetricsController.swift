import Hummingbird
import Prometheus

/// Prometheus exposition of the process's metrics (request counts, latency and time-to-first-token
/// histograms, tokens by tenant and deployment).
struct MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry

    @Sendable func render(_ request: Request, context: some RequestContext) async throws -> Response {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
