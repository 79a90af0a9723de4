import Foundation

/// A tiktoken-compatible byte-pair encoder (cl100k_base / o200k_base).
///
/// `encode` matches tiktoken's `encode_ordinary`: the text is split into
/// pieces by the encoding's pattern, then each piece's UTF-8 bytes are
/// byte-pair merged. Special tokens such as `<|endoftext|>` get no special
/// treatment; they are encoded as the plain text they are.
///
/// The value is immutable and cheap to copy (the vocabulary is shared), so
/// one instance can serve any number of concurrent callers.
public struct BytePairEncoding: Sendable {
    public let pattern: PretokenizerPattern
    private let table: RankTable

    /// Loads a tiktoken rank file (`base64(token) rank` per line).
    public init(rankFile: URL, pattern: PretokenizerPattern) throws {
        self.pattern = pattern
        self.table = try RankFileParser.parse(contentsOf: rankFile)
        // Build the shared scalar-class table now rather than inside the
        // first encode call, so that call has no hidden start-up cost.
        _ = ScalarClassTable.bmp.count
    }

    /// Number of ordinary (mergeable) token ranks.
    public var vocabularySize: Int { table.rankCount }

    /// Token ids of `text`, identical to tiktoken's `encode_ordinary`.
    public func encode(_ text: String) -> [Int] {
        var tokens: [Int] = []
        tokens.reserveCapacity(text.utf8.count / 3)
        forEachToken(in: text) { tokens.append($0) }
        return tokens
    }

    /// Number of tokens `encode(text)` would return, without building the array.
    public func count(_ text: String) -> Int {
        var total = 0
        forEachToken(in: text) { _ in total += 1 }
        return total
    }

    /// The bytes of `tokens` concatenated (UTF-8 when the tokens came from
    /// `encode`; an arbitrary slice of tokens may split a scalar). Ids that
    /// are not in the vocabulary contribute nothing.
    public func decode(_ tokens: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tokens.count * 4)
        table.tokenStarts.withUnsafeBufferPointer { starts in
            table.tokenBytes.withUnsafeBufferPointer { tokenBytes in
                for token in tokens where token >= 0 && token < starts.count - 1 {
                    bytes.append(contentsOf: tokenBytes[Int(starts[token])..<Int(starts[token + 1])])
                }
            }
        }
        return bytes
    }

    private func forEachToken(in text: String, _ emit: (Int) -> Void) {
        var text = text
        text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return }
            table.withLookup { lookup in
                pattern.forEachPiece(in: utf8) { range in
                    lookup.encodePiece(base + range.lowerBound, range.count, emit)
                }
            }
        }
    }
}
