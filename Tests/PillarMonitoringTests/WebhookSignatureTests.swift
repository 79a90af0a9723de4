import Crypto
import Foundation
import XCTest

@testable import PillarMonitoring

final class WebhookSignatureTests: XCTestCase {
    private let secret = Array("whsec_test".utf8)
    private let body = Array(#"{"hello":"world"}"#.utf8)
    private let timestamp = 1_700_000_000

    func testSignMatchesIndependentHMAC() {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: secret))
        let expected = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()

        XCTAssertEqual(WebhookSignature.sign(body: body, secret: secret, timestamp: timestamp), expected)
    }

    func testSignKnownAnswer() {
        // Computed outside Swift: python3 -c 'import hmac,hashlib;
        //   print(hmac.new(b"whsec_test", b"1700000000.{\"hello\":\"world\"}", hashlib.sha256).hexdigest())'
        XCTAssertEqual(
            WebhookSignature.sign(body: body, secret: secret, timestamp: timestamp),
            "sha256=f592bbf3951cfc94e560eecfb5d9dd4da6b0fff2e626235f8ab4b54860925d0b"
        )
    }

    func testVerifyAcceptsOwnSignature() {
        let signature = WebhookSignature.sign(body: body, secret: secret, timestamp: timestamp)
        XCTAssertTrue(WebhookSignature.verify(body: body, secret: secret, timestamp: timestamp, signature: signature))
        XCTAssertTrue(
            WebhookSignature.verify(
                body: body, secret: secret, timestamp: timestamp,
                signature: "sha256=" + signature.dropFirst(7).uppercased()))
    }

    func testVerifyRejectsTamperingAndMalformedInput() {
        let signature = WebhookSignature.sign(body: body, secret: secret, timestamp: timestamp)
        let verify = { (body: [UInt8], secret: [UInt8], timestamp: Int, signature: String) in
            WebhookSignature.verify(body: body, secret: secret, timestamp: timestamp, signature: signature)
        }
        XCTAssertFalse(verify(body + [0x20], secret, timestamp, signature), "body changed")
        XCTAssertFalse(verify(body, secret, timestamp + 1, signature), "timestamp changed")
        XCTAssertFalse(verify(body, Array("other".utf8), timestamp, signature), "wrong secret")
        XCTAssertFalse(verify(body, secret, timestamp, String(signature.dropFirst(7))), "missing prefix")
        XCTAssertFalse(verify(body, secret, timestamp, "sha1=" + signature.dropFirst(7)), "wrong scheme")
        XCTAssertFalse(verify(body, secret, timestamp, String(signature.dropLast(2))), "truncated")
        XCTAssertFalse(verify(body, secret, timestamp, String(signature.dropLast()) + "z"), "not hex")
        XCTAssertFalse(verify(body, secret, timestamp, "sha256="), "empty")
    }

    func testHeaderNames() {
        XCTAssertEqual(WebhookSignature.signatureHeader, "X-Pillar-Signature")
        XCTAssertEqual(WebhookSignature.timestampHeader, "X-Pillar-Timestamp")
        XCTAssertEqual(WebhookSignature.eventHeader, "X-Pillar-Event")
        XCTAssertEqual(WebhookSignature.deliveryHeader, "X-Pillar-Delivery")
    }
}
