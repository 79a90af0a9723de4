import Foundation
import PillarCore
import Testing

@testable import PillarEval

@Suite struct DatasetImportCSVTests {
    @Test func readsEveryColumnInAnyOrderAndCase() throws {
        let text = #"""
            Question,ID,Tags,expected_facts,Expected_Sources,answerable,history,human_rating,human_thumbs,trace_id,expected_answer
            "What is X, really?",q1,smoke | x,"[""X is Y"",""a|b""]",doc-1|doc-2,yes,"[{""role"":""user"",""content"":""hi""}]",4,,t-1,"He said ""Y"""
            "Two
            lines",,,,,NO,,,Down,,
            Third,,[],,,,,,up,,

            """#
        let items = try DatasetImport.parse(Data(text.utf8), format: .csv)
        #expect(
            items == [
                EvalItem(
                    id: "q1", question: "What is X, really?", history: [.init(role: "user", content: "hi")],
                    expectedAnswer: "He said \"Y\"", expectedFacts: ["X is Y", "a|b"],
                    expectedSources: ["doc-1", "doc-2"], tags: ["smoke", "x"], answerable: true,
                    human: .init(rating: 4, thumbs: false), traceID: "t-1"),
                EvalItem(id: "item-2", question: "Two\nlines", answerable: false, human: .init(rating: 1, thumbs: true)),
                EvalItem(id: "item-3", question: "Third", human: .init(rating: 5, thumbs: true)),
            ])
    }

    @Test func answerableSpellings() throws {
        let text = "question,answerable\na,true\nb,False\nc,1\nd,0\ne,\nf,Yes\ng,no\n"
        let items = try DatasetImport.parse(Data(text.utf8), format: .csv)
        #expect(items.map(\.answerable) == [true, false, true, false, true, true, false])
    }

    @Test func crlfAndByteOrderMark() throws {
        let text = "id,question\r\na,\"multi\r\nline\"\r\nb,plain\r\n"
        let items = try DatasetImport.parse(Data([0xEF, 0xBB, 0xBF] + Array(text.utf8)), format: .csv)
        #expect(items.map(\.id) == ["a", "b"])
        #expect(items.map(\.question) == ["multi\r\nline", "plain"])
    }

    @Test func recordAfterAMultiLineFieldHasItsPhysicalLine() throws {
        let text = """
            id,question,answerable
            a,"first
            second
            third",true
            b,fine,maybe
            """
        let error = try #require(datasetProblems(text, .csv))
        #expect(error.problems.map(\.description) == ["line 5: answerable must be true, false, yes, no, 1 or 0 (empty is true)"])
        #expect(error.problems.first?.field == "answerable")
    }

    @Test func problemInAMultiLineRecordHasItsFirstLine() throws {
        let text = "question,human_rating\n\"one\ntwo\",9\n"
        let error = try #require(datasetProblems(text, .csv))
        #expect(error.problems.map(\.description) == ["line 2: human_rating must be an integer from 1 to 5"])
    }

    @Test func unknownDuplicateAndMissingColumns() throws {
        let unknown = try #require(datasetProblems("question,expected_anwser\nq,a\n", .csv))
        #expect(unknown.problems.count == 1)
        #expect(unknown.problems.first?.field == "expected_anwser")
        #expect(
            unknown.problems.first?.description.hasPrefix(
                "line 1: unknown column 'expected_anwser' (did you mean 'expected_answer'?)") == true)

        let duplicate = try #require(datasetProblems("question,Question\nq,a\n", .csv))
        #expect(duplicate.problems.map(\.description) == ["line 1: column question appears twice in the header"])

        let missing = try #require(datasetProblems("id,tags\na,b\n", .csv))
        #expect(missing.problems.map(\.description) == ["line 1: the header has no question column, which is required"])

        let unnamed = try #require(datasetProblems("question,\nq,\n", .csv))
        #expect(unnamed.problems.map(\.description) == ["line 1: header field 2 is empty: every column needs a name"])
    }

    @Test func wrongFieldCount() throws {
        let text = "id,question\na,q\nb,q,extra\nc\n"
        let error = try #require(datasetProblems(text, .csv))
        #expect(
            error.problems.map(\.description) == [
                "line 3: has 3 fields, but the header has 2",
                "line 4: has 1 fields, but the header has 2",
            ])
    }

    @Test func quotingProblems() throws {
        let text = "id,question\na,\"closed\"junk\nb,un\"quoted\nc,fine\nd,\"never closed\ne,x\n"
        let error = try #require(datasetProblems(text, .csv))
        #expect(
            error.problems.map(\.description) == [
                "line 2: field 2 has text after its closing quote",
                "line 3: field 2 has a quote but does not start with one: quote the whole field and double the quotes inside",
                "line 5: field 2 opens a quote that is never closed",
            ])
    }

    @Test func cellProblems() throws {
        let text = """
            id,question,tags,history,human_rating,human_thumbs
            bad id,q,,,,
            b,q,"[""a"",2]",,,
            c,q,,not json,,
            d,q,,"[{""role"":""tool"",""content"":""x""}]",,
            e,q,,,3,up
            f,q,,,,sideways
            g,q,[oops,,,
            h,,,,,
            i,q,a||b,,,
            """
        let error = try #require(datasetProblems(text, .csv))
        #expect(
            error.problems.map(\.description) == [
                "line 2: id 'bad id' must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'",
                "line 3: tags starts with '[' but is not a JSON array of strings",
                "line 4: history must be a JSON array of {\"role\", \"content\"} objects",
                "line 5: history turn 1: role must be user or assistant, not 'tool'",
                "line 6: set human_rating or human_thumbs, not both",
                "line 7: human_thumbs must be up or down",
                "line 8: tags starts with '[' but is not a JSON array of strings",
                "line 9: question must not be empty",
                "line 10: tags entry 2 is empty",
            ])
    }

    @Test func duplicateID() throws {
        let error = try #require(datasetProblems("id,question\nx,1\ny,2\nx,3\n", .csv))
        #expect(error.problems.map(\.description) == ["line 4: id 'x' is already used on line 2"])
    }

    @Test func blankLinesAreSkippedButHeaderOnlyIsEmpty() throws {
        let items = try DatasetImport.parse(Data("\nquestion\n\na\n\nb\n".utf8), format: .csv)
        #expect(items.map(\.id) == ["item-1", "item-2"])

        let headerOnly = try #require(datasetProblems("id,question\r\n", .csv))
        #expect(headerOnly.problems.map(\.description) == ["the dataset has no items"])
        let nothing = try #require(datasetProblems("", .csv))
        #expect(nothing.problems.first?.description.hasPrefix("the dataset is empty") == true)
    }
}
