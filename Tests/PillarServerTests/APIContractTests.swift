import Foundation
import PillarCore
import Testing

@testable import PillarServer

/// The API's published contract against the code: the error catalogue against the codes the sources raise and
/// against `docs/api.md`, and the OpenAPI document against the router's routes and the catalogue.
@Suite struct APIContractTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every `code: "…"` (and every default `code: String = "…"`) in the server's sources, outside the simulator,
    /// which is a stand-in upstream with codes of its own.
    static func raisedCodes() throws -> [String: [String]] {
        let sources = repository.appendingPathComponent("Sources")
        let pattern = try Regex(#"code: (?:String = )?"([a-z][a-z0-9_]*)""#)
        var found: [String: [String]] = [:]
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        for case let file as URL in files where file.pathExtension == "swift" {
            let path = file.path.replacingOccurrences(of: sources.path + "/", with: "")
            // The statistics reference is a test oracle run from the command line, never behind a route.
            guard !path.contains("Simulator"), !path.contains("/Reference/"), !path.hasSuffix("ErrorCatalogue.swift") else {
                continue
            }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: pattern) {
                found[String(match.output[1].substring!), default: []].append(path)
            }
        }
        return found
    }

    @Test func everyRaisedCodeIsInTheCatalogue() throws {
        let raised = try Self.raisedCodes()
        #expect(raised.count > 40, "the scan found too few codes: \(raised.keys.sorted())")
        let missing = raised.filter { ErrorCatalogue.entry($0.key) == nil }
        #expect(missing.isEmpty, "codes raised but not in ErrorCatalogue: \(missing)")
    }

    @Test func catalogueIsSortedUniqueAndExplained() {
        let codes = ErrorCatalogue.entries.map(\.code)
        #expect(codes == codes.sorted())
        #expect(Set(codes).count == codes.count)
        for entry in ErrorCatalogue.entries {
            #expect(!entry.kinds.isEmpty && !entry.meaning.isEmpty, "\(entry.code)")
            #expect(entry.statuses.allSatisfy { (400...599).contains($0) }, "\(entry.code)")
        }
    }

    /// `docs/api.md`'s table of error codes is the catalogue, row for row.
    @Test func apiPageListsTheCatalogue() throws {
        let page = try String(contentsOf: Self.repository.appendingPathComponent("docs/api.md"), encoding: .utf8)
        let rowPattern = try Regex(#"^\| `([a-z0-9_]+)` \| ([0-9, ]+) \| (.+) \|$"#)
        var rows: [(code: String, statuses: String, meaning: String)] = []
        for line in page.split(separator: "\n") {
            if let match = String(line).wholeMatch(of: rowPattern) {
                rows.append(
                    (
                        String(match.output[1].substring!), String(match.output[2].substring!),
                        String(match.output[3].substring!)
                    ))
            }
        }
        let expected = ErrorCatalogue.entries.map { entry in
            (entry.code, entry.statuses.map(String.init).joined(separator: ", "), entry.meaning)
        }
        #expect(rows.map(\.code) == expected.map(\.0))
        for (row, entry) in zip(rows, expected) {
            #expect(row.statuses == entry.1 && row.meaning == entry.2, "docs/api.md row for \(row.code)")
        }
    }

    /// The OpenAPI document's error codes are the catalogue's.
    @Test func openAPIDocumentNamesTheCatalogue() throws {
        let data = try Data(contentsOf: Self.repository.appendingPathComponent("Sources/PillarServer/Public/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var node: Any? = document
        for key in ["components", "schemas", "Error", "properties", "error", "properties", "code", "enum"] {
            node = (node as? [String: Any])?[key]
        }
        #expect((node as? [String]) == ErrorCatalogue.entries.map(\.code))
        #expect(document["openapi"] as? String == "3.1.0")
    }
}
