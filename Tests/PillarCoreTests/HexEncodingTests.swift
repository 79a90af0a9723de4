import Foundation
import PillarCore
import Testing

@Suite struct HexEncodingTests {
    @Test func everyByteIsTwoLowerCaseDigits() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(bytes.hexString == bytes.map { String(format: "%02x", $0) }.joined())
        #expect([UInt8]().hexString == "")
        #expect(RandomHex.make(bytes: 8).count == 16)
    }
}
