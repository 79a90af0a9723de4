import Testing

@testable import PillarEval

@Suite struct DatasetFormatTests {
    @Test func namesAndExtensions() {
        #expect(DatasetFormat(name: "jsonl") == .jsonl)
        #expect(DatasetFormat(name: "JSON-Lines") == .jsonl)
        #expect(DatasetFormat(name: " csv ") == .csv)
        #expect(DatasetFormat(name: "json") == nil)
        #expect(DatasetFormat(fileExtension: ".CSV") == .csv)
        #expect(DatasetFormat(fileExtension: "jsonl") == .jsonl)
        #expect(DatasetFormat(fileExtension: "txt") == nil)
        #expect(DatasetFormat(fileName: "golden.v2.jsonl") == .jsonl)
        #expect(DatasetFormat(fileName: "export.csv") == .csv)
        #expect(DatasetFormat(fileName: "csv") == nil)
        #expect(DatasetFormat(fileName: ".csv") == nil)
        #expect(DatasetFormat.csv.contentType == "text/csv; charset=utf-8")
    }
}
