import XCTest

@testable import PillarMonitoring

final class JudgeHealthTests: XCTestCase {
    func testOneFailureIsABlipAndThreeInARowAnOutage() {
        let health = JudgeHealth()
        XCTAssertTrue(health.isAvailable(tenant: "acme"))
        health.failed(tenant: "acme", at: 1, error: "upstream_error: 503")
        health.failed(tenant: "acme", at: 2, error: "upstream_error: 503")
        XCTAssertTrue(health.isAvailable(tenant: "acme"), "two failures are not yet an outage")
        health.succeeded(tenant: "acme", at: 3)
        health.failed(tenant: "acme", at: 4, error: "upstream_error: 503")
        health.failed(tenant: "acme", at: 5, error: "upstream_error: 503")
        XCTAssertTrue(health.isAvailable(tenant: "acme"), "a success in between starts the count over")
        health.failed(tenant: "acme", at: 6, error: "timeout: judge")
        XCTAssertFalse(health.isAvailable(tenant: "acme"))
        XCTAssertEqual(health.lastError(tenant: "acme"), "timeout: judge")
        XCTAssertTrue(health.isAvailable(tenant: "other"), "tenants are apart")
        health.succeeded(tenant: "acme", at: 7)
        XCTAssertTrue(health.isAvailable(tenant: "acme"))
        XCTAssertNil(health.lastError(tenant: "acme"))
    }

    func testTheSerialLockLetsOneHolderInAtATime() async {
        let lock = SerialLock()
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    await lock.withLock {
                        let inside = await counter.enter()
                        XCTAssertEqual(inside, 1, "another holder was inside")
                        await Task.yield()
                        await counter.leave()
                    }
                }
            }
        }
        let total = await counter.total
        XCTAssertEqual(total, 50)
    }
}

private actor Counter {
    var inside = 0
    var total = 0

    func enter() -> Int {
        inside += 1
        total += 1
        return inside
    }

    func leave() { inside -= 1 }
}
