import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// A load generator for OpenAI-compatible chat endpoints, for `scripts/bench-gateway`: a closed loop at a
/// fixed concurrency, or an open loop at a fixed rate whose latencies count from each request's scheduled
/// time (so a slow server cannot hide its queueing). Prints one JSON object of results.
@main
struct PillarLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pillar-load")

    @Option var url: String
    @Option var key: String?
    @Option var model = "gpt"
    @Option var concurrency = 1
    @Option(help: "Requests per second; with it, an open loop instead of a closed one.") var rate: Double?
    @Option var duration: Double = 10
    @Option var warmup: Double = 2
    @Flag var stream = false
    @Option(name: .customLong("max-tokens")) var maxTokens = 16
    @Option(
        help: "A Pillar server's URL to report the result to (POST /v1/admin/load-tests), the evidence `pillar review` reads.")
    var record: String?
    @Option(name: .customLong("record-key"), help: "An admin key of the default tenant for --record (or PILLAR_API_KEY).")
    var recordKey: String?

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = rate == nil ? concurrency : 512
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await measure(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func measure(_ client: HTTPClient) async throws {
        let body = ByteBuffer(
            string:
                #"{"model": "\#(model)", "stream": \#(stream), "max_tokens": \#(maxTokens), "messages": [{"role": "user", "content": "Say something short."}]}"#
        )
        let results = Results()
        let probe = Probe(client: client, url: url, key: key, body: body, stream: stream)

        _ = try await probe.send()  // the first connection is not part of the measure
        let warmupEnd = ContinuousClock.now + .milliseconds(Int64(warmup * 1000))
        let end = warmupEnd + .milliseconds(Int64(duration * 1000))
        if let rate {
            let interval = Duration.nanoseconds(Int64(1e9 / rate))
            await withTaskGroup(of: Void.self) { group in
                var next = ContinuousClock.now
                while next < end {
                    let scheduled = next
                    group.addTask {
                        let sample = await probe.measure(from: scheduled)
                        if scheduled >= warmupEnd { results.add(sample) }
                    }
                    next += interval
                    try? await Task.sleep(until: next, clock: .continuous)
                }
            }
        } else {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        while ContinuousClock.now < end {
                            let started = ContinuousClock.now
                            let sample = await probe.measure(from: started)
                            if started >= warmupEnd { results.add(sample) }
                        }
                    }
                }
            }
        }
        print(results.summary(duration: duration))
        if let record { try await report(results.statistics(duration: duration), to: record, client: probe.client) }
    }

    func report(_ statistics: Results.Statistics, to server: String, client: HTTPClient) async throws {
        guard let key = recordKey ?? ProcessInfo.processInfo.environment["PILLAR_API_KEY"] else {
            throw ValidationError("--record needs an admin key: --record-key or PILLAR_API_KEY")
        }
        let fields: [String: Any] = [
            "tool": "pillar-load", "target": url, "requests_per_second": statistics.throughput,
            "p95_ms": statistics.p95Ms.isFinite ? statistics.p95Ms : 0, "error_rate": statistics.errorRate,
            "duration_seconds": duration, "concurrency": rate == nil ? concurrency : Int(rate!.rounded(.up)),
        ]
        var request = HTTPClientRequest(
            url: (server.hasSuffix("/") ? String(server.dropLast()) : server) + "/v1/admin/load-tests")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: fields)))
        let response = try await client.execute(request, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created else {
            throw ValidationError("recording the result failed: HTTP \(response.status.code) \(String(buffer: answer))")
        }
        print("recorded at \(server)")
    }
}

struct Sample: Sendable {
    var latency: Duration
    var firstToken: Duration?
    var ok: Bool
}

struct Probe: Sendable {
    let client: HTTPClient
    let url: String
    let key: String?
    let body: ByteBuffer
    let stream: Bool

    func send() async throws -> (ok: Bool, firstByte: ContinuousClock.Instant?) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(body)
        let response = try await client.execute(request, timeout: .seconds(60))
        var firstToken: ContinuousClock.Instant?
        var received = 0
        for try await chunk in response.body {
            // The first event that carries content: "content":" with at least one character.
            if stream, firstToken == nil, chunk.readableBytesView.firstRange(of: Array(#""content":""#.utf8)) != nil {
                firstToken = .now
            }
            received += chunk.readableBytes
        }
        return (response.status == .ok && received > 0, firstToken)
    }

    func measure(from start: ContinuousClock.Instant) async -> Sample {
        do {
            let (ok, firstToken) = try await send()
            return Sample(latency: .now - start, firstToken: firstToken.map { $0 - start }, ok: ok)
        } catch {
            return Sample(latency: .now - start, firstToken: nil, ok: false)
        }
    }
}

final class Results: Sendable {
    private let samples = Mutex<[Sample]>([])

    func add(_ sample: Sample) { samples.withLock { $0.append(sample) } }

    struct Statistics {
        var throughput: Double
        var p95Ms: Double
        var errorRate: Double
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000
    }

    /// Nearest rank; NaN for no values.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
    }

    func statistics(duration: Double) -> Statistics {
        let all = samples.withLock { $0 }
        let ok = all.filter(\.ok)
        return Statistics(
            throughput: Double(ok.count) / duration,
            p95Ms: Self.percentile(ok.map { Self.milliseconds($0.latency) }, 0.95),
            errorRate: all.isEmpty ? 1 : Double(all.count - ok.count) / Double(all.count))
    }

    func summary(duration: Double) -> String {
        let all = samples.withLock { $0 }
        let ok = all.filter(\.ok)
        let latencies = ok.map { Self.milliseconds($0.latency) }
        let firstTokens = ok.compactMap(\.firstToken).map(Self.milliseconds)
        let fields: [String: Double] = [
            "requests": Double(all.count), "errors": Double(all.count - ok.count),
            "throughput": Double(ok.count) / duration,
            "p50_ms": Self.percentile(latencies, 0.5), "p99_ms": Self.percentile(latencies, 0.99),
            "ttft_p50_ms": Self.percentile(firstTokens, 0.5), "ttft_p99_ms": Self.percentile(firstTokens, 0.99),
        ]
        return fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.3f", $0.value))" }.joined(separator: " ")
    }
}
