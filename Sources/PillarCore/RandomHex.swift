import Foundation

/// Random identifiers: `bytes` random bytes as lowercase hex (conversation, message, feedback and answer ids).
public enum RandomHex {
    public static func make(bytes: Int) -> String {
        (0..<bytes).map { _ in UInt8.random(in: 0...255) }.hexString
    }
}
