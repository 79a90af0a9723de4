import Crypto
import Foundation
import Logging
import XCTest

@testable import PillarMonitoring

final class AlertDispatcherTests: XCTestCase {
    private let transport = RecordingTransport()
    private let sleeper = SleepRecorder()
    private let clock = TestClock()
    private let logs = LogCapture()

    private let secret = Array("whsec_dispatch".utf8)
    private let opsURL = "https://hooks.test/services/T0KEN-ops"
    private let pagerURL = "https://hooks.test/services/T0KEN-pager"

    private func dispatcher(
        _ endpoints: [WebhookEndpoint],
        dedupWindow: Duration = .seconds(300),
        queueLimit: Int = 1000
    ) -> AlertDispatcher {
        let clock = self.clock
        let sleeper = self.sleeper
        return AlertDispatcher(
            endpoints: endpoints,
            transport: transport,
            dedupWindow: dedupWindow,
            queueLimit: queueLimit,
            now: { clock.now() },
            sleep: { try await sleeper.sleep($0) },
            logger: logs.logger
        )
    }

    private func ops(maxAttempts: Int = 5, events: Set<AlertEvent.Kind>? = nil) -> WebhookEndpoint {
        WebhookEndpoint(name: "ops", url: opsURL, secret: secret, events: events, maxAttempts: maxAttempts)
    }

    private func pager(maxAttempts: Int = 5, events: Set<AlertEvent.Kind>? = nil) -> WebhookEndpoint {
        WebhookEndpoint(name: "pager", url: pagerURL, events: events, maxAttempts: maxAttempts)
    }

    /// Closes the dispatcher and runs the loop to completion: deterministic, no timing.
    private func drain(_ dispatcher: AlertDispatcher) async {
        dispatcher.finish()
        await dispatcher.run()
    }

    // MARK: Request shape

    func testRequestHeadersAndSignature() async throws {
        let d = dispatcher([ops(), pager()])
        let event = makeEvent()
        d.enqueue(event)
        await drain(d)

        let signed = try XCTUnwrap(transport.requests(to: opsURL).first)
        XCTAssertEqual(signed.body, event.body())
        XCTAssertEqual(signed.timeout, .seconds(10))
        XCTAssertEqual(
            signed.headers.map(\.0),
            [
                "Content-Type", "User-Agent", "X-Pillar-Event", "X-Pillar-Delivery", "X-Pillar-Timestamp",
                "X-Pillar-Signature",
            ])
        XCTAssertEqual(signed.header("Content-Type"), "application/json")
        XCTAssertEqual(signed.header("User-Agent"), "Pillar-Webhook")
        XCTAssertEqual(signed.header("X-Pillar-Event"), "monitor.state")
        XCTAssertEqual(signed.header("X-Pillar-Delivery"), "evt-1")
        XCTAssertEqual(signed.header("X-Pillar-Timestamp"), "1700000000")

        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("1700000000.".utf8) + signed.body, using: SymmetricKey(data: secret))
        XCTAssertEqual(signed.header("X-Pillar-Signature"), "sha256=" + mac.map { String(format: "%02x", $0) }.joined())

        let unsigned = try XCTUnwrap(transport.requests(to: pagerURL).first)
        XCTAssertNil(unsigned.header("X-Pillar-Signature"), "no secret, no signature")
        XCTAssertEqual(d.stats.delivered, 2)
    }

    // MARK: Dedup

    func testDedupWithinWindowButNotAfter() async {
        let d = dispatcher([ops()])
        XCTAssertEqual(d.enqueue(makeEvent(id: "a")), .queued)
        clock.advance(seconds: 299)
        XCTAssertEqual(d.enqueue(makeEvent(id: "b")), .duplicate)
        clock.advance(seconds: 1)  // 300 s after the accepted event: window has passed
        XCTAssertEqual(d.enqueue(makeEvent(id: "c")), .queued)
        clock.advance(seconds: 1)
        XCTAssertEqual(d.enqueue(makeEvent(id: "d")), .duplicate, "window restarts at the newly accepted event")
        await drain(d)

        XCTAssertEqual(transport.requests.compactMap { $0.header("X-Pillar-Delivery") }, ["a", "c"])
        XCTAssertEqual(d.stats.duplicates, 2)
    }

    func testDifferentSeverityIsNotDeduped() {
        let d = dispatcher([ops()])
        XCTAssertEqual(d.enqueue(makeEvent(id: "a", severity: "warning")), .queued)
        XCTAssertEqual(d.enqueue(makeEvent(id: "b", severity: "alert")), .queued)
        XCTAssertEqual(d.enqueue(makeEvent(id: "c", severity: "alert")), .duplicate)
    }

    func testFlappingStateIsNotDeduped() {
        // down → recovered → down again: each is a state change the operator must hear about.
        let d = dispatcher([ops()])
        XCTAssertEqual(d.enqueue(makeEvent(id: "down1", severity: "alert")), .queued)
        XCTAssertEqual(d.enqueue(makeEvent(id: "up", severity: "info")), .queued)
        XCTAssertEqual(d.enqueue(makeEvent(id: "down2", severity: "alert")), .queued)
    }

    func testDedupIsPerKeyAndPerTenant() {
        let d = dispatcher([ops()])
        XCTAssertEqual(d.enqueue(makeEvent(id: "a", dedupKey: "monitor:api", tenant: "acme")), .queued)
        XCTAssertEqual(d.enqueue(makeEvent(id: "b", dedupKey: "monitor:db", tenant: "acme")), .queued)
        XCTAssertEqual(d.enqueue(makeEvent(id: "c", dedupKey: "monitor:api", tenant: "globex")), .queued)
    }

    // MARK: Retries

    func testRetryOn500ThenDeliveredWithSameDeliveryId() async throws {
        transport.script(opsURL, [.status(500), .status(200)])
        let d = dispatcher([ops()])
        d.enqueue(makeEvent(id: "evt-retry"))
        await drain(d)

        let attempts = transport.requests(to: opsURL)
        XCTAssertEqual(attempts.count, 2)
        XCTAssertEqual(attempts.map { $0.header("X-Pillar-Delivery") }, ["evt-retry", "evt-retry"])
        for attempt in attempts {
            let timestamp = try XCTUnwrap(attempt.header("X-Pillar-Timestamp").flatMap(Int.init))
            let signature = try XCTUnwrap(attempt.header("X-Pillar-Signature"))
            XCTAssertTrue(
                WebhookSignature.verify(
                    body: attempt.body, secret: secret, timestamp: timestamp,
                    signature: signature))
        }
        XCTAssertEqual(sleeper.delays, [.milliseconds(500)])
        XCTAssertEqual(d.stats, stats(delivered: 1, retried: 1))
    }

    func testClientErrorIsNotRetried() async {
        transport.script(opsURL, [.status(400)])
        let d = dispatcher([ops()])
        d.enqueue(makeEvent())
        await drain(d)

        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(sleeper.delays, [])
        XCTAssertEqual(d.stats, stats(failed: 1))
    }

    func testRateLimitAndTimeoutStatusesAreRetried() async {
        transport.script(opsURL, [.status(429), .status(408), .status(204)])
        let d = dispatcher([ops()])
        d.enqueue(makeEvent())
        await drain(d)

        XCTAssertEqual(transport.requests.count, 3)
        XCTAssertEqual(d.stats, stats(delivered: 1, retried: 2))
    }

    func testGivesUpAfterMaxAttemptsAndLogsWithoutSecrets() async throws {
        transport.script(opsURL, Array(repeating: .status(503), count: 10))
        let d = dispatcher([ops(maxAttempts: 4)])
        d.enqueue(makeEvent())
        await drain(d)

        XCTAssertEqual(transport.requests.count, 4)
        XCTAssertEqual(sleeper.delays, [.milliseconds(500), .seconds(1), .seconds(2)])
        XCTAssertEqual(d.stats, stats(failed: 1, retried: 3))

        let giveUp = try XCTUnwrap(logs.entries.first { $0.level == .error })
        XCTAssertEqual(giveUp.metadata["endpoint"], "ops")
        XCTAssertEqual(giveUp.metadata["status"], "503")
        XCTAssertEqual(giveUp.metadata["attempts"], "4")
        assertNoSecretsLogged()
    }

    func testTransportErrorIsRetriedAndRedacted() async throws {
        transport.script(opsURL, [.failure("connection refused: \(opsURL)"), .failure("timed out: \(opsURL)")])
        let d = dispatcher([ops(maxAttempts: 2)])
        let results = await d.sendNow(makeEvent(), to: "ops")

        XCTAssertEqual(transport.requests.count, 2)
        let result = try XCTUnwrap(results.first)
        XCTAssertEqual(
            result,
            .init(
                endpoint: "ops", delivered: false, attempts: 2, status: nil,
                error: "timed out: <url>"))
        assertNoSecretsLogged()
    }

    func testTransportErrorThenSuccessDelivers() async {
        transport.script(opsURL, [.failure("connection reset")])
        let d = dispatcher([ops()])
        d.enqueue(makeEvent())
        await drain(d)
        XCTAssertEqual(d.stats, stats(delivered: 1, retried: 1))
    }

    // MARK: Endpoint isolation

    func testFailingEndpointDoesNotPreventOthers() async {
        transport.script(opsURL, [.status(404)])
        let d = dispatcher([ops(), pager()])
        d.enqueue(makeEvent())
        await drain(d)

        XCTAssertEqual(transport.requests(to: opsURL).count, 1)
        XCTAssertEqual(transport.requests(to: pagerURL).count, 1)
        XCTAssertEqual(d.stats, stats(delivered: 1, failed: 1))
    }

    func testSlowEndpointDoesNotDelayOthers() async {
        // "ops" answers only once "pager" has been called; if endpoints were served one after
        // another in configured order, ops would time out (599) before pager was ever tried.
        let latch = Latch()
        transport.script(opsURL, [.awaitLatch(latch, status: 200)])
        transport.script(pagerURL, [.openLatch(latch, status: 200)])
        let d = dispatcher([ops(maxAttempts: 1), pager(maxAttempts: 1)])
        let results = await d.sendNow(makeEvent(), to: nil)

        XCTAssertEqual(results.map(\.endpoint), ["ops", "pager"], "results keep configured order")
        XCTAssertEqual(results.map(\.delivered), [true, true])
    }

    // MARK: Queue

    func testQueueLimitDrops() async {
        let d = dispatcher([ops()], queueLimit: 2)
        XCTAssertEqual(d.enqueue(makeEvent(id: "a", dedupKey: "k1")), .queued)
        XCTAssertEqual(d.enqueue(makeEvent(id: "b", dedupKey: "k2")), .queued)
        XCTAssertEqual(d.enqueue(makeEvent(id: "c", dedupKey: "k3")), .dropped)
        XCTAssertTrue(logs.entries.contains { $0.metadata["dispatch"] == "dropped: queue full" && $0.level == .warning })
        await drain(d)

        XCTAssertEqual(transport.requests.compactMap { $0.header("X-Pillar-Delivery") }, ["a", "b"])
        XCTAssertEqual(d.stats, stats(delivered: 2, dropped: 1))
    }

    func testEventFilteringByKind() async {
        let d = dispatcher([ops(events: [.canaryRolledBack]), pager()])
        d.enqueue(makeEvent(id: "state", kind: .monitorState))
        d.enqueue(makeEvent(id: "rollback", kind: .canaryRolledBack, dedupKey: "canary:web"))
        await drain(d)

        XCTAssertEqual(transport.requests(to: opsURL).compactMap { $0.header("X-Pillar-Event") }, ["canary.rolled_back"])
        XCTAssertEqual(transport.requests(to: pagerURL).compactMap { $0.header("X-Pillar-Delivery") }, ["state", "rollback"])
    }

    func testEventNobodyWantsIsLoggedButNotQueued() async {
        let d = dispatcher([ops(events: [.decay])], queueLimit: 1)
        XCTAssertEqual(d.enqueue(makeEvent(id: "a", dedupKey: "k1")), .queued)
        XCTAssertEqual(d.enqueue(makeEvent(id: "b", dedupKey: "k2")), .queued, "takes no queue slot")
        XCTAssertEqual(logs.entries.count, 2)
        await drain(d)
        XCTAssertEqual(transport.requests.count, 0)
    }

    func testNoEndpointsStillLogs() {
        let d = dispatcher([])
        XCTAssertEqual(d.enqueue(makeEvent()), .queued)
        XCTAssertEqual(logs.entries.map(\.message), ["alert: API is down"])
    }

    // MARK: Lifecycle

    func testFinishDrainsQueueThenRunReturns() async {
        let d = dispatcher([ops()])
        let loop = Task { await d.run() }
        let ids = (1...5).map { "evt-\($0)" }
        for id in ids {
            d.enqueue(makeEvent(id: id, dedupKey: id))
        }
        d.finish()
        await loop.value

        XCTAssertEqual(transport.requests.compactMap { $0.header("X-Pillar-Delivery") }, ids)
        XCTAssertEqual(d.enqueue(makeEvent(id: "late", dedupKey: "late")), .dropped, "closed after finish")
        XCTAssertEqual(d.stats, stats(delivered: 5, dropped: 1))
    }

    func testCancellingRunStopsTheLoop() async {
        let d = dispatcher([ops()])
        let loop = Task { await d.run() }
        d.enqueue(makeEvent(id: "a"))
        // Wait until the loop has picked the event up, so the cancel lands on an idle loop.
        while d.stats.delivered == 0 { await Task.yield() }
        loop.cancel()
        await loop.value
        XCTAssertEqual(d.enqueue(makeEvent(id: "b", dedupKey: "other")), .dropped)
    }

    func testSecondRunIsIgnored() async {
        let d = dispatcher([ops()])
        d.finish()
        await d.run()
        await d.run()
        XCTAssertTrue(logs.entries.contains { $0.level == .error && $0.message.contains("more than once") })
    }

    // MARK: Logging

    func testEveryEventIsLoggedAtSeverityLevel() {
        let d = dispatcher([ops()])
        d.enqueue(makeEvent(id: "a", dedupKey: "k1", severity: "alert"))
        d.enqueue(makeEvent(id: "b", dedupKey: "k2", severity: "Warning"))
        d.enqueue(makeEvent(id: "c", dedupKey: "k3", severity: "info", summary: "canary promoted"))
        d.enqueue(makeEvent(id: "d", dedupKey: "k3", severity: "info", summary: "canary promoted"))

        let entries = logs.entries
        XCTAssertEqual(entries.map(\.level), [.warning, .warning, .notice, .notice])
        XCTAssertEqual(entries.map { $0.metadata["dispatch"] }, ["queued", "queued", "queued", "duplicate"])
        XCTAssertEqual(entries[2].message, "alert: canary promoted")
        XCTAssertEqual(entries[2].metadata["kind"], "monitor.state")
        XCTAssertEqual(entries[2].metadata["tenant"], "acme")
    }

    // MARK: sendNow

    func testSendNowBypassesDedupAndQueue() async {
        let d = dispatcher([ops(events: [.decay]), pager()], queueLimit: 0)
        let event = makeEvent(kind: .test)
        d.enqueue(event)

        let named = await d.sendNow(event, to: "ops")
        XCTAssertEqual(
            named, [.init(endpoint: "ops", delivered: true, attempts: 1, status: 200, error: nil)],
            "an explicitly named endpoint gets the test even though its filter excludes it")

        let all = await d.sendNow(event, to: nil)
        XCTAssertEqual(all.map(\.endpoint), ["pager"], "without a name only endpoints that want the kind")

        let unknown = await d.sendNow(event, to: "nope")
        XCTAssertEqual(unknown.first?.delivered, false)
        XCTAssertEqual(unknown.first?.attempts, 0)
        XCTAssertEqual(transport.requests.count, 2)
    }

    func testSendNowRetriesAndReportsLastStatus() async throws {
        transport.script(pagerURL, [.status(502), .status(502), .status(502)])
        let d = dispatcher([pager(maxAttempts: 3)])
        let results = await d.sendNow(makeEvent(), to: "pager")

        XCTAssertEqual(results, [.init(endpoint: "pager", delivered: false, attempts: 3, status: 502, error: "HTTP 502")])
        let json = try JSONEncoder().encode(results)
        XCTAssertEqual(try JSONDecoder().decode([AlertDispatcher.DeliveryResult].self, from: json), results)
    }

    // MARK: Helpers

    private func stats(
        delivered: Int = 0, failed: Int = 0, retried: Int = 0, dropped: Int = 0,
        duplicates: Int = 0
    ) -> AlertDispatcher.Stats {
        var stats = AlertDispatcher.Stats()
        stats.delivered = delivered
        stats.failed = failed
        stats.retried = retried
        stats.dropped = dropped
        stats.duplicates = duplicates
        return stats
    }

    private func assertNoSecretsLogged(file: StaticString = #filePath, line: UInt = #line) {
        for entry in logs.entries {
            XCTAssertFalse(entry.text.contains("T0KEN"), "URL leaked: \(entry.text)", file: file, line: line)
            XCTAssertFalse(entry.text.contains("whsec"), "secret leaked: \(entry.text)", file: file, line: line)
        }
    }
}
