import Foundation
import Testing

@testable import PillarTokenization

@Suite struct RankFileParserTests {
    @Test func parsesAndRejects() throws {
        func parse(_ text: String) throws -> RankTable {
            try Array(text.utf8).withUnsafeBufferPointer { try RankFileParser.parse($0) }
        }
        let table = try parse("IQ== 0\nIg== 1\n\naGVsbG8= 2\r\n")
        #expect(table.rankCount == 3)
        #expect(try parse("IQ== 0\nIg== 5").rankCount == 6)  // gaps are allowed
        #expect(throws: RankFileError.malformedLine(2)) { try parse("IQ== 0\nI*g== 1") }
        #expect(throws: RankFileError.malformedLine(1)) { try parse("IQ==0") }
        #expect(throws: RankFileError.empty) { try parse("\n\n") }
        #expect(throws: RankFileError.malformedLine(1)) { try parse("IQ== 99999999999") }
    }
}
