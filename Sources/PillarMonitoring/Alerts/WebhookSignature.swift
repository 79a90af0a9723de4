import Crypto

/// HMAC-SHA256 signing of webhook bodies, plus the header names that carry it.
///
/// The signed message is `"<timestamp>." + body`: binding the timestamp into the MAC lets
/// receivers reject replays of an old, validly signed body by checking the timestamp's age.
public enum WebhookSignature {
    public static let signatureHeader = "X-Pillar-Signature"
    public static let timestampHeader = "X-Pillar-Timestamp"
    public static let eventHeader = "X-Pillar-Event"
    public static let deliveryHeader = "X-Pillar-Delivery"

    private static let prefix = "sha256="

    /// `"sha256=" + lowercase hex(HMAC-SHA256(secret, "\(timestamp)." + body))`.
    public static func sign(body: [UInt8], secret: [UInt8], timestamp: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: signedMessage(body: body, timestamp: timestamp),
            using: SymmetricKey(data: secret)
        )
        return prefix + hex(mac)
    }

    /// Checks `signature` (as produced by `sign`) against the body, secret and timestamp.
    ///
    /// The comparison is constant-time (swift-crypto's `isValidAuthenticationCode`), so response
    /// timing does not reveal how many leading bytes of a forged signature were right.
    /// Receivers should separately reject timestamps too far from their own clock.
    public static func verify(body: [UInt8], secret: [UInt8], timestamp: Int, signature: String) -> Bool {
        guard signature.hasPrefix(prefix),
            let mac = decodeHex(signature.dropFirst(prefix.count)),
            mac.count == SHA256.byteCount
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            mac,
            authenticating: signedMessage(body: body, timestamp: timestamp),
            using: SymmetricKey(data: secret)
        )
    }

    private static func signedMessage(body: [UInt8], timestamp: Int) -> [UInt8] {
        Array("\(timestamp).".utf8) + body
    }

    private static func hex(_ mac: HashedAuthenticationCode<SHA256>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(SHA256.byteCount * 2)
        for byte in mac {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex of either case; nil on odd length or a non-hex character.
    private static func decodeHex(_ text: Substring) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
