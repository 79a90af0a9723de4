import Foundation
import Testing

/// One reference case from `Resources/fixture.jsonl`, produced by
/// `scripts/make-fixture.py` with tiktoken's `encode_ordinary`.
struct FixtureCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let cl100k: [Int]
    let o200k: [Int]

    var testDescription: String { name }

    static let all: [FixtureCase] = (try? loadJSONLines("fixture")) ?? []
}

/// One block of `Resources/scalar-sweep.jsonl`: hashes of tiktoken's ids for
/// `SweepText.text(start, end)`.
struct SweepBlock: Decodable, Sendable, CustomTestStringConvertible {
    let start: Int
    let end: Int
    let cl100kCount: Int
    let cl100kHash: String
    let o200kCount: Int
    let o200kHash: String

    var testDescription: String { "U+\(String(start, radix: 16))..<U+\(String(end, radix: 16))" }

    static let all: [SweepBlock] = (try? loadJSONLines("scalar-sweep")) ?? []
}

func loadJSONLines<T: Decodable>(_ name: String) throws -> [T] {
    guard let url = Bundle.module.url(forResource: "Resources/\(name)", withExtension: "jsonl") else {
        throw CocoaError(.fileNoSuchFile)
    }
    let data = try Data(contentsOf: url)
    let decoder = JSONDecoder()
    return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(T.self, from: $0) }
}

/// Mirrors `sweep_text` in make-fixture.py: every scalar of the block in
/// contexts that make its character class visible in the split.
enum SweepText {
    static func text(_ start: Int, _ end: Int) -> String {
        var result = ""
        for value in start..<end {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            let c = String(Character(scalar))
            result += "\(c)a\(c)A\(c)1\(c) \(c)'S\(c)\r\n\(c)  z\(c)!\(c)\(c)\u{01C5}\(c)\u{02B0}\(c)\u{0301}b\(c)/\n"
        }
        return result
    }

    /// FNV-1a over each id's four little-endian bytes (same as the script).
    static func hash(_ ids: [Int]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for id in ids {
            var v = UInt32(id)
            for _ in 0..<4 {
                h ^= UInt64(v & 0xFF)
                h &*= 0x100_0000_01B3
                v >>= 8
            }
        }
        return h
    }
}
