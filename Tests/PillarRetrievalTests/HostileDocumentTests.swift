import Foundation
import Testing

@testable import PillarRetrieval

/// Documents come from admins over HTTP and from watched folders: whatever their shape, loading them neither
/// crashes (no recursion deeper than a fixed bound) nor takes more than linear time.
@Suite struct HostileDocumentTests {
    func load(_ text: String, _ format: DocumentFormat) throws -> LoadedDocument {
        try DocumentLoader().load(Data(text.utf8), format: format)
    }

    static func nestedJSON(_ depth: Int) -> String {
        String(repeating: #"{"k": ["#, count: depth / 2) + #""leaf""# + String(repeating: "]}", count: depth / 2)
    }

    @Test func jsonAtTheNestingLimitLoadsAndOneDeeperIsRefused() throws {
        let limit = OrderedJSONParser.maximumDepth
        let deepest = try load(Self.nestedJSON(limit), .json)
        #expect(deepest.text.hasSuffix("leaf"))
        #expect(throws: LoadingError.self) { try load(Self.nestedJSON(limit + 2), .json) }
        #expect(throws: LoadingError.self) { try load(String(repeating: "[", count: 100_000), .jsonl) }
    }

    @Test func deeplyNestedHTMLLoadsInLinearTime() throws {
        let started = ContinuousClock.now
        let divs =
            String(repeating: "<div><span>", count: 50_000) + "deep text" + String(repeating: "</span></div>", count: 50_000)
        #expect(try load(divs, .html).text.contains("deep text"))
        let unclosed = "<p>before</p>" + String(repeating: "<svg><h1><table><td>", count: 25_000) + "x"
        _ = try? load(unclosed, .html)
        let comments = "<p>kept</p>" + String(repeating: "<!--", count: 100_000)
        #expect(try load(comments, .html).text.contains("kept"))
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func deeplyNestedMarkdownLoadsInLinearTime() throws {
        let started = ContinuousClock.now
        let quotes =
            String(repeating: ">", count: 100_000) + " quoted\n\n# Title\n" + String(repeating: "- ", count: 50_000) + "item\n"
        #expect(try load(quotes, .markdown).title == "Title")
        let headings = (0..<20_000).map {
            "\(String(repeating: "#", count: $0 % 6 + 1)) [h\($0)](" + String(repeating: "[", count: 200)
        }
        .joined(separator: "\n")
        #expect(try load(headings, .markdown).sections.count > 1)
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}
