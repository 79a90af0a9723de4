import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import PillarGateway
import PillarServer
import Prometheus
import Synchronization

/// Every test server starts with this admin key for tenant `default`.
let adminKey = "pk-test-admin-key-0000000000000000"

/// Metrics can be bootstrapped once a process; every test server shares this registry.
enum TestMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// A fast simulator; tests slow it down or inject faults per request with `x-sim-*` headers.
let fastSimulator = SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 5000)

/// Runs the project's own simulator on a real loopback port for the duration of `body`.
func withSimulator<T: Sendable>(
    _ behaviour: SimulatorBehaviour = fastSimulator, apiKey: String? = nil, _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    let app = buildSimulatorApplication(
        host: "127.0.0.1", port: 0, behaviour: behaviour, apiKey: apiKey,
        logger: Logger(label: "test.simulator"))
    return try await app.test(.live) { client in
        try await waitUntilServing(port: client.port!, path: "/health")
        return try await body(client.port!)
    }
}

/// Hummingbird's live test client connects as the server starts. Should a test end before the server's accept
/// loop took that connection, NIO traps on the unconsumed channel when the server stops (swift-nio #3481).
/// One answered request proves the accept loop has taken every earlier connection.
func waitUntilServing(port: Int, path: String) async throws {
    _ = try await PillarClient(port: port, dataDirectory: "").request(.GET, path, key: nil)
}

func simulatorDeployment(_ name: String, port: Int, models: [String]? = nil, priority: Int = 0) -> PillarConfiguration.Deployment
{
    var deployment = PillarConfiguration.Deployment(name: name, baseURL: "http://127.0.0.1:\(port)/v1", model: "simulated")
    deployment.models = models
    deployment.priority = priority
    return deployment
}

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("pillar-test-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs a real Pillar server (real SQLite file, real port) for the duration of `body`.
func withPillar<T: Sendable>(
    deployments: [PillarConfiguration.Deployment] = [],
    configure: (inout PillarConfiguration) -> Void = { _ in },
    environment: [String: String] = [:],
    dataDirectory: String? = nil,
    _ body: @Sendable (PillarClient) async throws -> T
) async throws -> T {
    var configuration = PillarConfiguration()
    configuration.server.port = 0
    configuration.server.dataDirectory = dataDirectory ?? temporaryDirectory()
    configuration.deployments = deployments
    configuration.localModel.mode = .off
    configuration.retrieval.localEmbedder.mode = .off
    configure(&configuration)
    var environment = environment
    environment["PILLAR_BOOTSTRAP_KEY"] = environment["PILLAR_BOOTSTRAP_KEY"] ?? adminKey
    environment["HOME"] = ProcessInfo.processInfo.environment["HOME"]
    let app = try await buildApplication(
        configuration, environment: environment, metricsRegistry: TestMetrics.registry,
        logger: Logger(label: "test.pillar"), announce: { _ in })
    let directory = configuration.server.dataDirectory
    defer { if dataDirectory == nil { try? FileManager.default.removeItem(atPath: directory) } }
    return try await app.test(.live) { client in
        try await waitUntilServing(port: client.port!, path: "/healthz")
        return try await body(PillarClient(port: client.port!, dataDirectory: directory))
    }
}

struct TestResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String

    /// The body as a JSON object (or an empty one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }

    /// The `data:` payloads of a server-sent-event body, in order.
    var events: [String] {
        body.components(separatedBy: "\n\n").compactMap { event in
            let lines = event.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { $0.dropFirst(6) }
            return lines.isEmpty ? nil : lines.joined(separator: "\n")
        }
    }

    /// The streamed text: every content delta joined.
    var streamedText: String {
        events.compactMap { event -> String? in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(event.utf8))) as? [String: Any],
                let choices = object["choices"] as? [[String: Any]]
            else { return nil }
            return choices.compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined()
        }.joined()
    }
}

/// Speaks HTTP to a test server through AsyncHTTPClient, as any client would.
struct PillarClient: Sendable {
    let port: Int
    let dataDirectory: String

    func request(
        _ method: HTTPMethod = .GET, _ path: String, key: String? = adminKey, headers: [(String, String)] = [],
        body: String? = nil, contentType: String? = "application/json"
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return TestResponse(status: Int(response.status.code), headers: headers, body: String(buffer: bytes))
    }

    func chat(
        _ content: String, model: String = "sim", stream: Bool = false, extra: String = "", key: String? = adminKey,
        headers: [(String, String)] = []
    ) async throws -> TestResponse {
        let message = String(
            data: try JSONSerialization.data(withJSONObject: content, options: .fragmentsAllowed), encoding: .utf8)!
        let body =
            #"{"model": "\#(model)", "stream": \#(stream), "messages": [{"role": "user", "content": \#(message)}]\#(extra)}"#
        return try await request(.POST, "/v1/chat/completions", key: key, headers: headers, body: body)
    }
}

/// A loopback port kept bound (not listening) so connections to it are refused and no other test's server can
/// take it until `release()`: a port merely found free can be handed to a parallel test's simulator meanwhile.
final class HeldLoopbackPort: Sendable {
    let port: Int
    private let held: Mutex<Int32>

    init() throws {
        let (descriptor, port) = try bindLoopbackSocket()
        self.port = port
        held = Mutex(descriptor)
    }

    /// Frees the port for the server that is about to bind it.
    func release() {
        held.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }
    }

    deinit { release() }
}
