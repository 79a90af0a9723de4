import Foundation
import XCTest

@testable import PillarMonitoring

final class AlertEventTests: XCTestCase {
    func testBodyIsSortedJSONWithExpectedShape() throws {
        let event = makeEvent(details: ["region": "eu-west/1", "monitor": "api"])
        let body = event.body()

        XCTAssertEqual(
            String(decoding: body, as: UTF8.self),
            #"{"details":{"monitor":"api","region":"eu-west/1"},"event":"monitor.state","id":"evt-1","#
                + #""occurred_at":"2023-11-14T22:13:20.500Z","severity":"alert","summary":"API is down","#
                + #""tenant":"acme"}"#
        )
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["id", "event", "tenant", "occurred_at", "severity", "summary", "details"])
    }

    func testBodyIsDeterministic() {
        let event = makeEvent(details: ["b": "2", "a": "1", "c": "3"])
        XCTAssertEqual(event.body(), event.body())
    }

    func testKindRawValues() {
        XCTAssertEqual(
            AlertEvent.Kind.allCases.map(\.rawValue),
            [
                "monitor.state", "canary.promoted", "canary.rolled_back", "canary.paused", "decay.alert", "isolation.leak",
                "test",
            ])
    }
}

final class WebhookEndpointTests: XCTestCase {
    func testWantsFiltersByKind() {
        let all = WebhookEndpoint(name: "all", url: "https://a")
        let canary = WebhookEndpoint(name: "canary", url: "https://c", events: [.canaryPromoted, .canaryRolledBack])
        XCTAssertTrue(AlertEvent.Kind.allCases.allSatisfy(all.wants))
        XCTAssertTrue(canary.wants(.canaryRolledBack))
        XCTAssertFalse(canary.wants(.monitorState))
    }

    func testMaxAttemptsIsAtLeastOne() {
        XCTAssertEqual(WebhookEndpoint(name: "x", url: "https://x", maxAttempts: 0).maxAttempts, 1)
    }

    func testDescriptionRedactsURLAndSecret() {
        let endpoint = WebhookEndpoint(name: "ops", url: "https://hooks.test/T0KEN", secret: Array("s3cr3t".utf8))
        for text in ["\(endpoint)", String(reflecting: endpoint)] {
            XCTAssertTrue(text.contains("ops"))
            XCTAssertFalse(text.contains("T0KEN"))
            XCTAssertFalse(text.contains("115"), "secret bytes must not be printed")  // "s" = 115
        }
    }
}

final class WebhookRetryPolicyTests: XCTestCase {
    func testDelaysDoubleAndAreCapped() {
        let policy = WebhookRetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(5))
        XCTAssertEqual(
            (1...6).map(policy.delay(afterAttempt:)),
            [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5), .seconds(5)])
        XCTAssertEqual(policy.delay(afterAttempt: 0), .seconds(1))
        XCTAssertEqual(policy.delay(afterAttempt: 10_000), .seconds(5), "large attempts must not overflow")
    }

    func testDefaultPolicy() {
        let policy = WebhookRetryPolicy()
        XCTAssertEqual(policy.delay(afterAttempt: 1), .milliseconds(500))
        XCTAssertEqual(policy.delay(afterAttempt: 2), .seconds(1))
        XCTAssertEqual(policy.delay(afterAttempt: 7), .seconds(32))
        XCTAssertEqual(policy.delay(afterAttempt: 8), .seconds(60))
    }

    func testRetryableStatuses() {
        for status in [408, 429, 500, 502, 503, 504, 599] {
            XCTAssertTrue(WebhookRetryPolicy.shouldRetry(status: status), "\(status)")
        }
        for status in [200, 201, 204, 301, 400, 401, 403, 404, 410, 422, 600] {
            XCTAssertFalse(WebhookRetryPolicy.shouldRetry(status: status), "\(status)")
        }
        XCTAssertTrue(WebhookRetryPolicy.isSuccess(status: 204))
        XCTAssertFalse(WebhookRetryPolicy.isSuccess(status: 301))
    }
}
