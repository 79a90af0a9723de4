import Foundation

/// Turns uploaded bytes into the one text shape every loader works on: valid Unicode, no byte-order
/// mark, and `\n` as the only line break.
enum TextDecoding {
    /// Decodes UTF-8 (or UTF-16 when the bytes start with a UTF-16 byte-order mark, as files saved by
    /// some Windows editors do). Invalid UTF-8 is refused rather than repaired, so a binary file
    /// uploaded under a text name fails loudly instead of indexing replacement characters.
    static func decode(_ data: Data) throws(LoadingError) -> String {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            guard var text = String(data: data, encoding: .utf16) else { throw .invalidEncoding }
            if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
            return normalizeLineBreaks(text)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        normalizeLineBreaks(&bytes)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidEncoding }
        return text
    }

    /// Rewrites CRLF and lone CR as LF. Safe on UTF-8 bytes: 0x0D never occurs inside a multi-byte
    /// sequence.
    static func normalizeLineBreaks(_ bytes: inout [UInt8]) {
        guard bytes.contains(0x0D) else { return }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                out.append(0x0A)
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else {
                out.append(byte)
            }
            index += 1
        }
        bytes = out
    }

    static func normalizeLineBreaks(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        var bytes = Array(text.utf8)
        normalizeLineBreaks(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True when the text has nothing a reader would see.
    static func isBlank(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }
}
