import Foundation
import PillarCore
import Testing

@testable import PillarEval

@Suite struct DatasetImportLimitsTests {
    @Test func inputSizeLimit() throws {
        let text = #"{"question":"a question"}"#
        let error = try #require(datasetProblems(text, .jsonl, limits: .init(maxBytes: 10)))
        #expect(error.problems.map(\.description) == ["the dataset is 25 bytes, more than the limit of 10"])
        #expect(try DatasetImport.parse(Data(text.utf8), format: .jsonl, limits: .init(maxBytes: 25)).count == 1)
    }

    @Test func itemCountLimitInBothFormats() throws {
        let limits = DatasetLimits(maxItems: 2)
        let jsonl = try #require(
            datasetProblems("{\"question\":\"a\"}\n{\"question\":\"b\"}\n{\"question\":\"c\"}\n", .jsonl, limits: limits))
        #expect(jsonl.problems.map(\.description) == ["the dataset has more than 2 items, the limit"])
        let csv = try #require(datasetProblems("question\na\nb\nc\n", .csv, limits: limits))
        #expect(csv.problems.map(\.description) == ["the dataset has more than 2 items, the limit"])
        #expect(try DatasetImport.parse(Data("question\na\nb\n".utf8), format: .csv, limits: limits).count == 2)
    }

    @Test func questionLength() throws {
        let limits = DatasetLimits(maxQuestionCharacters: 5)
        #expect(try DatasetImport.parse(Data("question\n東京🇫🇷ab\n".utf8), format: .csv, limits: limits).count == 1)
        let error = try #require(datasetProblems("question\nabcdef\n", .csv, limits: limits))
        #expect(error.problems.map(\.description) == ["line 2: question has 6 characters, more than the limit of 5"])
        let defaults = try #require(datasetProblems("question\n" + String(repeating: "q", count: 8001) + "\n", .csv))
        #expect(defaults.problems.first?.field == "question")
    }

    @Test func listAndHistoryBounds() throws {
        let limits = DatasetLimits(maxHistoryTurns: 1, maxListEntries: 2, maxListEntryCharacters: 3)
        let lines = [
            #"{"question":"q","tags":["a","b","c"]}"#,
            #"{"question":"q","expected_facts":["abcd"]}"#,
            #"{"question":"q","expected_sources":["ok"," "]}"#,
            #"{"question":"q","history":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}"#,
            #"{"question":"q","tags":["a","b"],"history":[{"role":"user","content":"a"}]}"#,
        ]
        let error = try #require(datasetProblems(lines.joined(separator: "\n"), .jsonl, limits: limits))
        #expect(
            error.problems.map(\.description) == [
                "line 1: tags has 3 entries, more than the limit of 2",
                "line 2: expected_facts entry 1 has 4 characters, more than the limit of 3",
                "line 3: expected_sources entry 2 is empty",
                "line 4: history has 2 turns, more than the limit of 1",
            ])
    }

    @Test func defaultListAndHistoryLimits() throws {
        let tags = "[" + (1...101).map { "\"t\($0)\"" }.joined(separator: ",") + "]"
        let turns = "[" + Array(repeating: #"{"role":"user","content":"x"}"#, count: 51).joined(separator: ",") + "]"
        let long = String(repeating: "x", count: 2001)
        let text =
            "{\"question\":\"q\",\"tags\":\(tags)}\n{\"question\":\"q\",\"history\":\(turns)}\n{\"question\":\"q\",\"expected_facts\":[\"\(long)\"]}"
        let error = try #require(datasetProblems(text, .jsonl))
        #expect(
            error.problems.map(\.description) == [
                "line 1: tags has 101 entries, more than the limit of 100",
                "line 2: history has 51 turns, more than the limit of 50",
                "line 3: expected_facts entry 1 has 2001 characters, more than the limit of 2000",
            ])
    }

    @Test func idLength() throws {
        let ok = String(repeating: "a", count: 128)
        #expect(try DatasetImport.parse(Data("id,question\n\(ok),q\n".utf8), format: .csv).first?.id == ok)
        let error = try #require(datasetProblems("id,question\n\(ok)b,q\n", .csv))
        #expect(error.problems.first?.field == "id")
    }

    @Test func invalidUTF8IsReportedWithItsLine() throws {
        let jsonl = Array("{\"question\":\"a\"}\n{\"question\":\"b\"}\n{\"question\":\"".utf8) + [0xFF] + Array("\"}\n".utf8)
        let jsonlError = try #require(datasetProblems(Data(jsonl), .jsonl))
        #expect(jsonlError.problems.map(\.description) == ["line 3: is not valid UTF-8"])

        // A truncated sequence inside a quoted field that spans lines: the line of the bad byte is named.
        let csv = Array("question\n\"ok\nstill".utf8) + [0xE2, 0x82] + Array("\"\n".utf8)
        let csvError = try #require(datasetProblems(Data(csv), .csv))
        #expect(csvError.problems.map(\.description) == ["line 3: is not valid UTF-8"])
    }

    @Test func reportsTheFirstFiftyProblemsInLineOrderAndCountsAll() throws {
        var lines = ["{\"question\":\"fine\"}"]
        lines += (0..<120).map { _ in "{\"question\":\"q\",\"tags\":\"x\",\"answerable\":1}" }
        let error = try #require(datasetProblems(lines.joined(separator: "\n"), .jsonl))
        #expect(error.problemCount == 240)
        #expect(error.problems.count == DatasetImportError.maximumReported)
        #expect(error.problems.first?.description == "line 2: answerable must be true or false")
        #expect(error.problems[1].description == "line 2: tags must be an array of strings")
        #expect(error.problems.last?.line == 26)
        #expect(error.description.hasSuffix("(190 more problems not shown)"))
        #expect(error.description.hasPrefix("line 2: answerable must be true or false\nline 2: tags must be"))
    }

    @Test func wholeInputProblemsComeFirst() throws {
        let text = "{\"question\":\"\"}\n{\"question\":\"a\"}\n{\"question\":\"b\"}\n"
        let error = try #require(datasetProblems(text, .jsonl, limits: .init(maxItems: 2)))
        #expect(
            error.problems.map(\.description) == [
                "the dataset has more than 2 items, the limit",
                "line 1: question must not be empty",
            ])
    }
}
