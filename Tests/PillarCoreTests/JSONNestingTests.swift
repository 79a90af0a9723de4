import Foundation
import Testing

@testable import PillarCore

/// Every JSON body is decoded by Foundation's JSONDecoder, often into the recursive `JSONValue`. The decoder
/// refuses documents nested deeper than 512 levels before any recursion; this pins that bound (were it to go,
/// a body of a few kilobytes could overflow the stack of the server) and checks that the deepest document it
/// lets through decodes and encodes again.
@Suite struct JSONNestingTests {
    static func arrays(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
    }

    static func objects(_ depth: Int) -> String {
        String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
    }

    @Test(arguments: [
        arrays(100_000), objects(100_000), String(repeating: "[", count: 100_000),
        String(repeating: #"{"a":"#, count: 100_000),
    ])
    func deepDocumentsAreRefusedNotRecursedInto(_ json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) }
    }

    @Test(arguments: [arrays(500), objects(500)])
    func theDeepestAcceptedDocumentsRoundTrip(_ json: String) throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(again == value)
    }
}
