import Foundation
import Logging
import Synchronization

@testable import PillarMonitoring

// Test doubles. A scripted in-memory transport stands in for HTTP here; the test against a real
// HTTP receiver (signature checked by an independent implementation) lives in the server's
// Python suite.

struct TransportFailure: Error, CustomStringConvertible {
    var description: String
}

/// A one-way flag that one request opens and another polls, to prove two posts overlap in time.
final class Latch: Sendable {
    private let isOpen = Mutex(false)

    func open() { isOpen.withLock { $0 = true } }

    /// Polls rather than suspends on a continuation so that a latch never opened fails the test
    /// after `timeout` instead of hanging it.
    func wait(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if isOpen.withLock({ $0 }) { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return isOpen.withLock { $0 }
    }
}

final class RecordingTransport: WebhookTransport {
    struct Request: Sendable {
        var url: String
        var headers: [(String, String)]
        var body: [UInt8]
        var timeout: Duration

        func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
    }

    enum Reply: Sendable {
        case status(Int)
        case failure(String)
        /// Waits (up to 5 s) for the latch, then answers `status`; 599 if it never opened.
        case awaitLatch(Latch, status: Int)
        /// Opens the latch, then answers `status`.
        case openLatch(Latch, status: Int)
    }

    private struct State {
        var script: [String: [Reply]] = [:]
        var requests: [Request] = []
    }

    private let state = Mutex(State())

    /// Replies for `url`, consumed in order; once exhausted every request gets 200.
    func script(_ url: String, _ replies: [Reply]) {
        state.withLock { $0.script[url, default: []].append(contentsOf: replies) }
    }

    var requests: [Request] { state.withLock { $0.requests } }

    func requests(to url: String) -> [Request] { requests.filter { $0.url == url } }

    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int {
        let reply: Reply = state.withLock { state in
            state.requests.append(Request(url: url, headers: headers, body: body, timeout: timeout))
            guard var replies = state.script[url], !replies.isEmpty else { return .status(200) }
            let next = replies.removeFirst()
            state.script[url] = replies
            return next
        }
        switch reply {
        case .status(let status):
            return status
        case .failure(let message):
            throw TransportFailure(description: message)
        case .awaitLatch(let latch, let status):
            return await latch.wait(timeout: .seconds(5)) ? status : 599
        case .openLatch(let latch, let status):
            latch.open()
            return status
        }
    }
}

/// A sleep that returns at once and records what was asked for, so backoff is observable
/// without slowing the tests.
final class SleepRecorder: Sendable {
    private let recorded = Mutex<[Duration]>([])

    var delays: [Duration] { recorded.withLock { $0 } }

    func sleep(_ duration: Duration) async throws {
        recorded.withLock { $0.append(duration) }
        await Task.yield()
    }
}

final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Mutex(start)
    }

    func now() -> Date { current.withLock { $0 } }

    func advance(seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }
}

final class LogCapture: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]

        /// Message and metadata flattened, for "does this secret appear anywhere" checks.
        var text: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
                .joined(separator: " ")
        }
    }

    private let recorded = Mutex<[Entry]>([])

    var entries: [Entry] { recorded.withLock { $0 } }

    var logger: Logger {
        Logger(label: "alerts-test") { _ in Handler(capture: self) }
    }

    fileprivate func record(_ entry: Entry) {
        recorded.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.record(
                Entry(
                    level: event.level,
                    message: event.message.description,
                    metadata: merged.mapValues { "\($0)" }
                ))
        }
    }
}

func makeEvent(
    id: String = "evt-1",
    kind: AlertEvent.Kind = .monitorState,
    dedupKey: String = "monitor:api",
    tenant: String = "acme",
    severity: String = "alert",
    summary: String = "API is down",
    details: [String: String] = [:]
) -> AlertEvent {
    AlertEvent(
        id: id, kind: kind, dedupKey: dedupKey, tenant: tenant,
        occurredAt: Date(timeIntervalSince1970: 1_700_000_000.5),
        severity: severity, summary: summary, details: details
    )
}
