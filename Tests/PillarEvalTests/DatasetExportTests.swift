import Foundation
import PillarCore
import Testing

@testable import PillarEval

@Suite struct DatasetExportTests {
    static let sample = EvalItem(
        id: "-draft", question: "=HYPERLINK(\"x\")", history: [.init(role: "user", content: "hi, \"you\"")],
        expectedAnswer: "a|b", expectedFacts: ["f1", "f,2"], expectedSources: [], tags: ["t"], answerable: false,
        human: .init(rating: 1, thumbs: true), traceID: nil)

    @Test func jsonLinesHasSortedKeysAndLeavesOutEmptyFields() {
        let text = String(
            decoding: DatasetExport.render([Self.sample, EvalItem(id: "b", question: "q")], format: .jsonl), as: UTF8.self)
        #expect(
            text == """
                {"answerable":false,"expected_answer":"a|b","expected_facts":["f1","f,2"],"history":[{"content":"hi, \\"you\\"","role":"user"}],"human":{"rating":1,"thumbs":true},"id":"-draft","question":"=HYPERLINK(\\"x\\")","tags":["t"]}
                {"answerable":true,"id":"b","question":"q"}

                """)
    }

    @Test func csvWritesEveryColumnAndGuardsFormulas() {
        let text = String(decoding: DatasetExport.render([Self.sample], format: .csv), as: UTF8.self)
        let expected =
            "id,question,expected_answer,expected_facts,expected_sources,tags,answerable,history,human_rating,human_thumbs,trace_id\r\n"
            + "'-draft,\"'=HYPERLINK(\"\"x\"\")\",a|b,\"[\"\"f1\"\",\"\"f,2\"\"]\",,\"[\"\"t\"\"]\",false,"
            + "\"[{\"\"content\"\":\"\"hi, \\\"\"you\\\"\"\"\",\"\"role\"\":\"\"user\"\"}]\",,down,\r\n"
        #expect(text == expected)
    }

    /// The guard is kept on free text (it may be genuine text) and removed from ids (which cannot hold `'`).
    @Test func csvReimportKeepsTheGuardOnTextButNotOnIDs() throws {
        let items = try DatasetImport.parse(DatasetExport.render([Self.sample], format: .csv), format: .csv)
        var expected = Self.sample
        expected.question = "'" + Self.sample.question
        #expect(items == [expected])
        #expect(SpreadsheetFormulaGuard.guarded("@SUM(A1)") == "'@SUM(A1)")
        #expect(SpreadsheetFormulaGuard.guarded("+1") == "'+1")
        #expect(SpreadsheetFormulaGuard.guarded("\tx") == "'\tx")
        #expect(SpreadsheetFormulaGuard.guarded("\rx") == "'\rx")
        #expect(SpreadsheetFormulaGuard.guarded("a=b") == "a=b")
        #expect(SpreadsheetFormulaGuard.guarded("'quoted") == "'quoted")
    }

    @Test(arguments: [1, 2, 3, 42] as [UInt64])
    func generatedItemsRoundTripThroughJSONLines(seed: UInt64) throws {
        var generator = EvalItemGenerator(seed: seed)
        let items = (1...200).map { generator.item(index: $0) }
        let data = DatasetExport.render(items, format: .jsonl)
        #expect(try DatasetImport.parse(data, format: .jsonl) == items)
        // Each line is also what EvalItem's own Codable reads.
        let lines = data.split(separator: UInt8(ascii: "\n"))
        #expect(try lines.map { try JSONDecoder().decode(EvalItem.self, from: Data($0)) } == items)
    }

    @Test(arguments: [1, 2, 3, 42] as [UInt64])
    func generatedItemsRoundTripThroughCSV(seed: UInt64) throws {
        var generator = EvalItemGenerator(seed: seed)
        let items = (1...200).map { generator.item(index: $0) }
        let imported = try DatasetImport.parse(DatasetExport.render(items, format: .csv), format: .csv)
        let expected = items.map { item in
            var guarded = item
            guarded.question = SpreadsheetFormulaGuard.guarded(item.question)
            guarded.expectedAnswer = item.expectedAnswer.map(SpreadsheetFormulaGuard.guarded)
            guarded.traceID = item.traceID.map(SpreadsheetFormulaGuard.guarded)
            return guarded
        }
        #expect(imported == expected)
        #expect(expected != items, "the generator should produce some text that needs the formula guard")
    }

    @Test func noCSVCellStartsWithAFormulaCharacter() throws {
        var generator = EvalItemGenerator(seed: 7)
        let items = (1...200).map { generator.item(index: $0) }
        var reader = CSVRecordReader(Array(DatasetExport.render(items, format: .csv))[...])
        var problems = DatasetProblemList()
        var cells = 0
        while let record = reader.next(problems: &problems) {
            for field in record.fields {
                cells += 1
                #expect(!SpreadsheetFormulaGuard.needsGuard(field), "\(field.debugDescription)")
            }
        }
        #expect(problems.isEmpty)
        #expect(cells == 201 * DatasetColumn.allCases.count)
    }
}
