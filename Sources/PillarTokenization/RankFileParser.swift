import Foundation

/// Reads a tiktoken rank file: one `base64(token bytes) rank` per line.
///
/// Written as a single pass over the raw bytes with a table-driven base64
/// decoder, because the files have 100k-200k lines and going through
/// `String` splitting plus Foundation's base64 costs an order of magnitude more.
enum RankFileParser {
    /// Ranks index dense tables, so an absurd rank (a corrupt file) is
    /// rejected rather than allocated; real vocabularies stay far below.
    static let maxRank = 1 << 24

    static func parse(contentsOf url: URL) throws -> RankTable {
        let data = try Data(contentsOf: url, options: .mappedIfSafe)
        return try data.withUnsafeBytes { raw in
            try parse(raw.bindMemory(to: UInt8.self))
        }
    }

    static func parse(_ text: UnsafeBufferPointer<UInt8>) throws -> RankTable {
        var bytes: [UInt8] = []
        var starts: [Int] = []
        var lengths: [Int] = []
        var ranks: [Int] = []
        // Decoded tokens are 3/4 of their base64 text, lines ~12 bytes.
        bytes.reserveCapacity(text.count * 3 / 4)
        let estimatedLines = text.count / 10
        starts.reserveCapacity(estimatedLines)
        lengths.reserveCapacity(estimatedLines)
        ranks.reserveCapacity(estimatedLines)

        var lineNumber = 0
        var i = 0
        let end = text.count
        while i < end {
            lineNumber += 1
            var lineEnd = i
            while lineEnd < end, text[lineEnd] != 0x0A { lineEnd += 1 }
            defer { i = lineEnd + 1 }
            var contentEnd = lineEnd
            if contentEnd > i, text[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            if contentEnd == i { continue }  // blank lines are skipped, as tiktoken does

            var space = i
            while space < contentEnd, text[space] != 0x20 { space += 1 }
            guard space < contentEnd else { throw RankFileError.malformedLine(lineNumber) }

            let start = bytes.count
            guard Base64.decode(text, from: i, to: space, into: &bytes), bytes.count > start else {
                throw RankFileError.malformedLine(lineNumber)
            }
            var rank = 0
            var digit = space + 1
            guard digit < contentEnd else { throw RankFileError.malformedLine(lineNumber) }
            while digit < contentEnd {
                let d = Int(text[digit]) - 0x30
                guard (0...9).contains(d), rank <= maxRank / 10 else {
                    throw RankFileError.malformedLine(lineNumber)
                }
                rank = rank * 10 + d
                digit += 1
            }
            guard rank < maxRank else { throw RankFileError.malformedLine(lineNumber) }
            starts.append(start)
            lengths.append(bytes.count - start)
            ranks.append(rank)
        }
        guard !ranks.isEmpty else { throw RankFileError.empty }
        return RankTable(bytes: bytes, starts: starts, lengths: lengths, ranks: ranks)
    }
}

public enum RankFileError: Error, Equatable, Sendable {
    case malformedLine(Int)
    case empty
}

/// Standard-alphabet base64 with optional `=` padding.
enum Base64 {
    private static let invalid: UInt8 = 0xFF
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, char) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(char)] = UInt8(value)
        }
        return table
    }()

    /// Appends the decoding of `text[from..<to]` to `output`; false if invalid.
    static func decode(
        _ text: UnsafeBufferPointer<UInt8>, from: Int, to: Int, into output: inout [UInt8]
    ) -> Bool {
        var end = to
        while end > from, text[end - 1] == UInt8(ascii: "=") { end -= 1 }
        guard to - end <= 2 else { return false }
        return table.withUnsafeBufferPointer { table in
            var accumulator: UInt32 = 0
            var bits = 0
            for k in from..<end {
                let value = table[Int(text[k])]
                if value == invalid { return false }
                accumulator = accumulator << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                }
            }
            return true
        }
    }
}
