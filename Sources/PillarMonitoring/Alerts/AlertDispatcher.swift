import Foundation
import Logging
import PillarCore
import Synchronization

/// Logs every alert and delivers it to the configured webhooks in the background.
///
/// Producers (the monitor and canary loops) call `enqueue`, which only takes a short lock and
/// never waits on the network, so a slow or broken receiver can never stall them. One `run()`
/// task drains the queue: events are delivered one after another, and each event goes to all of
/// its endpoints concurrently so one slow endpoint does not hold back the others.
public final class AlertDispatcher: Sendable {
    public enum Outcome: Sendable, Hashable {
        /// Logged and handed to the endpoints that want it (possibly none).
        case queued
        /// Same tenant, dedup key and severity as an event accepted within the dedup window.
        case duplicate
        /// Logged but not delivered: the queue was full or the dispatcher has stopped.
        case dropped
    }

    public struct Stats: Sendable, Hashable, Codable {
        /// Endpoint deliveries that got a 2xx.
        public var delivered = 0
        /// Endpoint deliveries given up on (attempts exhausted, non-retryable status, or cancelled).
        public var failed = 0
        /// Attempts made beyond the first.
        public var retried = 0
        /// Events refused by `enqueue`, or still queued when `run()` was cancelled.
        public var dropped = 0
        /// Events suppressed by deduplication.
        public var duplicates = 0

        public init() {}
    }

    /// The result of delivering one event to one endpoint; Codable so `pillar monitors test`
    /// can print it as JSON.
    public struct DeliveryResult: Sendable, Hashable, Codable {
        public var endpoint: String
        public var delivered: Bool
        public var attempts: Int
        /// The last HTTP status received, if any attempt got a response.
        public var status: Int?
        /// Why delivery failed; nil when delivered.
        public var error: String?

        public init(endpoint: String, delivered: Bool, attempts: Int, status: Int?, error: String?) {
            self.endpoint = endpoint
            self.delivered = delivered
            self.attempts = attempts
            self.status = status
            self.error = error
        }
    }

    /// Dedup is scoped per tenant so one tenant's alert can never suppress another's,
    /// even when their callers build identical dedup keys.
    private struct DedupKey: Hashable {
        var tenant: String
        var key: String
    }

    private struct DedupEntry {
        var severity: String
        var acceptedAt: Date
    }

    private enum Decision {
        case queued, duplicate, queueFull, stopped
    }

    private enum Step {
        case deliver(AlertEvent)
        case wait
        case done
    }

    private struct State {
        var queue: [AlertEvent] = []
        /// The last accepted event per key. Only the latest severity is kept, so a monitor that
        /// goes down, recovers and goes down again alerts every time its state changes.
        var lastAccepted: [DedupKey: DedupEntry] = [:]
        var lastPrune = Date.distantPast
        /// False once `finish()` is called or `run()` has exited; later events are only logged.
        var accepting = true
        /// `run()` is single-shot: a second concurrent consumer of the wakeup stream would trap.
        var runStarted = false
        var stats = Stats()
    }

    private let endpoints: [WebhookEndpoint]
    private let transport: any WebhookTransport
    private let retry: WebhookRetryPolicy
    private let dedupWindow: TimeInterval
    private let queueLimit: Int
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void
    private let logger: Logger

    private let state = Mutex(State())
    /// Wakes `run()` when work arrives. Buffering the newest single element suffices: the loop
    /// drains the whole queue after every wakeup, so coalesced wakeups lose nothing.
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation

    public init(
        endpoints: [WebhookEndpoint],
        transport: any WebhookTransport,
        retry: WebhookRetryPolicy = .init(),
        dedupWindow: Duration = .seconds(300),
        queueLimit: Int = 1000,
        now: @escaping @Sendable () -> Date = Date.init,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        logger: Logger
    ) {
        self.endpoints = endpoints
        self.transport = transport
        self.retry = retry
        self.dedupWindow = dedupWindow.seconds
        self.queueLimit = max(0, queueLimit)
        self.now = now
        self.sleep = sleep
        self.logger = logger
        (wakeups, wakeup) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public var stats: Stats {
        state.withLock { $0.stats }
    }

    // MARK: - Producing

    /// Logs `event` and queues it for delivery. Never blocks on delivery and never throws.
    @discardableResult
    public func enqueue(_ event: AlertEvent) -> Outcome {
        // Events no endpoint wants are still logged and recorded for dedup, but take no queue slot.
        let wanted = endpoints.contains { $0.wants(event.kind) }
        let at = now()
        let decision: Decision = state.withLock { state in
            guard state.accepting else {
                state.stats.dropped += 1
                return .stopped
            }
            pruneDedup(&state, at: at)
            let key = DedupKey(tenant: event.tenant, key: event.dedupKey)
            if let last = state.lastAccepted[key], last.severity == event.severity,
                at.timeIntervalSince(last.acceptedAt) < dedupWindow
            {
                // The window runs from the accepted event, not from each repeat, so a condition
                // that keeps firing still re-notifies once per window.
                state.stats.duplicates += 1
                return .duplicate
            }
            if wanted {
                guard state.queue.count < queueLimit else {
                    // Not recorded for dedup: the next occurrence deserves a chance to get through.
                    state.stats.dropped += 1
                    return .queueFull
                }
                state.queue.append(event)
            }
            state.lastAccepted[key] = DedupEntry(severity: event.severity, acceptedAt: at)
            return .queued
        }

        logEvent(event, decision: decision)
        switch decision {
        case .queued:
            if wanted { wakeup.yield() }
            return .queued
        case .duplicate:
            return .duplicate
        case .queueFull, .stopped:
            return .dropped
        }
    }

    /// Stops accepting events; `run()` returns once the queue is drained.
    public func finish() {
        state.withLock { $0.accepting = false }
        wakeup.finish()
    }

    // MARK: - Delivering

    /// The delivery loop. Returns after `finish()` once the queue is drained, or when the task is
    /// cancelled (in-flight attempts stop; events still queued are counted as dropped).
    public func run() async {
        let firstRun = state.withLock { state in
            defer { state.runStarted = true }
            return !state.runStarted
        }
        guard firstRun else {
            logger.error("AlertDispatcher.run() called more than once; ignoring the extra call")
            return
        }
        defer { stopAccepting() }

        var wakeups = self.wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            switch nextStep() {
            case .deliver(let event):
                _ = await deliver(event, to: endpoints.filter { $0.wants(event.kind) })
            case .wait:
                // Returns nil once finished or cancelled; the loop condition and `nextStep` sort
                // out which, so there is nothing to do with the value.
                _ = await wakeups.next()
            case .done:
                return
            }
        }
    }

    /// Delivers `event` right away, bypassing dedup and the queue (used by `pillar monitors test`).
    ///
    /// With a name, delivers to that endpoint even if its event filter would exclude the kind,
    /// since the operator asked for it explicitly; an unknown name yields one failed result.
    /// Without a name, delivers to every endpoint that wants the kind. Results follow the
    /// configured endpoint order.
    public func sendNow(_ event: AlertEvent, to endpointName: String?) async -> [DeliveryResult] {
        let targets: [WebhookEndpoint]
        if let endpointName {
            guard let endpoint = endpoints.first(where: { $0.name == endpointName }) else {
                return [
                    DeliveryResult(
                        endpoint: endpointName, delivered: false, attempts: 0, status: nil,
                        error: "no webhook endpoint named '\(endpointName)'")
                ]
            }
            targets = [endpoint]
        } else {
            targets = endpoints.filter { $0.wants(event.kind) }
        }
        logger.notice("alert: \(event.summary)", metadata: eventMetadata(event, dispatch: "immediate"))
        return await deliver(event, to: targets)
    }

    // MARK: - Internals

    private func nextStep() -> Step {
        state.withLock { state in
            if !state.queue.isEmpty {
                // removeFirst is O(n), but the queue is bounded by queueLimit and small in practice.
                return .deliver(state.queue.removeFirst())
            }
            return state.accepting ? .wait : .done
        }
    }

    private func stopAccepting() {
        let abandoned = state.withLock { state in
            state.accepting = false
            let count = state.queue.count
            state.queue.removeAll()
            state.stats.dropped += count
            return count
        }
        if abandoned > 0 {
            logger.warning("alert dispatcher stopped with undelivered events", metadata: ["count": "\(abandoned)"])
        }
    }

    /// Forgets dedup entries older than the window, at most once per window, so memory stays
    /// bounded by the keys seen in about two windows without scanning on every enqueue.
    private func pruneDedup(_ state: inout State, at: Date) {
        guard at.timeIntervalSince(state.lastPrune) >= dedupWindow else { return }
        state.lastAccepted = state.lastAccepted.filter { at.timeIntervalSince($0.value.acceptedAt) < dedupWindow }
        state.lastPrune = at
    }

    /// Delivers to all `targets` concurrently and returns results in `targets` order.
    private func deliver(_ event: AlertEvent, to targets: [WebhookEndpoint]) async -> [DeliveryResult] {
        guard !targets.isEmpty else { return [] }
        // Encoded once: every endpoint and every retry posts (and signs) the same bytes.
        let body = event.body()
        return await withTaskGroup(of: (Int, DeliveryResult).self) { group in
            for (index, endpoint) in targets.enumerated() {
                group.addTask { (index, await self.deliver(event, body: body, to: endpoint)) }
            }
            var results = [DeliveryResult?](repeating: nil, count: targets.count)
            for await (index, result) in group {
                results[index] = result
            }
            return results.compactMap { $0 }
        }
    }

    /// One endpoint's attempt series: up to `maxAttempts` posts with backoff between them.
    private func deliver(_ event: AlertEvent, body: [UInt8], to endpoint: WebhookEndpoint) async -> DeliveryResult {
        var attempts = 0
        var lastStatus: Int?
        var lastError: String?

        attemptLoop: while attempts < endpoint.maxAttempts {
            if Task.isCancelled {
                lastError = "cancelled"
                break
            }
            attempts += 1
            do {
                let status = try await transport.post(
                    url: endpoint.url,
                    headers: headers(for: event, body: body, endpoint: endpoint),
                    body: body,
                    timeout: endpoint.timeout
                )
                lastStatus = status
                if WebhookRetryPolicy.isSuccess(status: status) {
                    state.withLock { $0.stats.delivered += 1 }
                    logger.debug(
                        "webhook delivered",
                        metadata: [
                            "endpoint": "\(endpoint.name)", "event_id": "\(event.id)", "attempts": "\(attempts)",
                        ])
                    return DeliveryResult(
                        endpoint: endpoint.name, delivered: true, attempts: attempts,
                        status: status, error: nil)
                }
                lastError = "HTTP \(status)"
                guard WebhookRetryPolicy.shouldRetry(status: status) else { break attemptLoop }
            } catch {
                if Task.isCancelled {
                    lastError = "cancelled"
                    break
                }
                lastError = redacted(error, for: endpoint)
            }

            guard attempts < endpoint.maxAttempts else { break }
            logger.info(
                "webhook attempt failed; will retry",
                metadata: [
                    "endpoint": "\(endpoint.name)", "event_id": "\(event.id)", "attempt": "\(attempts)",
                    "error": "\(lastError ?? "")",
                ])
            do {
                try await sleep(retry.delay(afterAttempt: attempts))
            } catch {
                lastError = "cancelled"
                break
            }
            state.withLock { $0.stats.retried += 1 }
        }

        state.withLock { $0.stats.failed += 1 }
        var metadata: Logger.Metadata = [
            "endpoint": "\(endpoint.name)", "event_id": "\(event.id)", "kind": "\(event.kind.rawValue)",
            "attempts": "\(attempts)", "error": "\(lastError ?? "unknown")",
        ]
        if let lastStatus { metadata["status"] = "\(lastStatus)" }
        logger.error("webhook delivery failed; giving up", metadata: metadata)
        return DeliveryResult(
            endpoint: endpoint.name, delivered: false, attempts: attempts,
            status: lastStatus, error: lastError)
    }

    private func headers(for event: AlertEvent, body: [UInt8], endpoint: WebhookEndpoint) -> [(String, String)] {
        // Taken per attempt so a retry carries a fresh timestamp and passes receivers' replay checks.
        let timestamp = Int(now().timeIntervalSince1970.rounded(.down))
        var headers = [
            ("Content-Type", "application/json"),
            ("User-Agent", "Pillar-Webhook"),
            (WebhookSignature.eventHeader, event.kind.rawValue),
            // The same on every retry, so receivers can recognise a repeat they already processed.
            (WebhookSignature.deliveryHeader, event.id),
            (WebhookSignature.timestampHeader, String(timestamp)),
        ]
        if let secret = endpoint.secret {
            headers.append(
                (
                    WebhookSignature.signatureHeader,
                    WebhookSignature.sign(body: body, secret: secret, timestamp: timestamp)
                ))
        }
        return headers
    }

    /// Transport errors often quote the URL, and chat-service webhook URLs carry tokens,
    /// so the URL is masked before the text reaches logs or results.
    private func redacted(_ error: any Error, for endpoint: WebhookEndpoint) -> String {
        let text = String(describing: error)
        guard !endpoint.url.isEmpty else { return text }
        return text.replacingOccurrences(of: endpoint.url, with: "<url>")
    }

    private func logEvent(_ event: AlertEvent, decision: Decision) {
        let severity = event.severity.lowercased()
        var level: Logger.Level = (severity == "warning" || severity == "alert") ? .warning : .notice
        let dispatch: String
        switch decision {
        case .queued: dispatch = "queued"
        case .duplicate: dispatch = "duplicate"
        case .queueFull: dispatch = "dropped: queue full"
        case .stopped: dispatch = "dropped: dispatcher stopped"
        }
        // Losing an alert is an operational problem in itself, whatever the alert's own severity.
        if decision == .queueFull || decision == .stopped { level = max(level, .warning) }
        logger.log(level: level, "alert: \(event.summary)", metadata: eventMetadata(event, dispatch: dispatch))
    }

    private func eventMetadata(_ event: AlertEvent, dispatch: String) -> Logger.Metadata {
        [
            "kind": "\(event.kind.rawValue)",
            "tenant": "\(event.tenant)",
            "severity": "\(event.severity)",
            "event_id": "\(event.id)",
            "dedup_key": "\(event.dedupKey)",
            "dispatch": "\(dispatch)",
        ]
    }
}
