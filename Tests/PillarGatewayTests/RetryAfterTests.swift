import Foundation
import NIOHTTP1
import Testing

@testable import PillarGateway

@Suite struct RetryAfterTests {
    @Test(
        arguments: [
            ([("Retry-After", "7")], 7),
            ([("Retry-After", "0")], 0),
            ([("Retry-After", "1.2")], 2),
            ([("retry-after-ms", "1500")], 2),
            ([("x-ms-retry-after-ms", "250"), ("Retry-After", "9")], 1),
            ([("Retry-After", "soon")], nil),
            ([("Retry-After", "-3")], nil),
        ] as [([(String, String)], Int?)])
    func readsHeaders(headers: [(String, String)], expected: Int?) {
        #expect(RetryAfter.seconds(from: HTTPHeaders(headers)) == expected)
    }

    @Test func readsHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(RetryAfter.seconds(fromHeaderValue: "Tue, 14 Nov 2023 22:13:50 GMT", now: now) == 30)
        #expect(RetryAfter.seconds(fromHeaderValue: "Tue, 14 Nov 2023 22:00:00 GMT", now: now) == 0)
    }
}
