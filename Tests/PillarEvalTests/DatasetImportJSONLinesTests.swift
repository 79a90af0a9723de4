import Foundation
import PillarCore
import Testing

@testable import PillarEval

@Suite struct DatasetImportJSONLinesTests {
    @Test func readsEveryFieldAndNamesItemsWithoutID() throws {
        let text = """
            {"id":"q1","question":"What is X?","expected_answer":"X is Y","expected_facts":["X is Y"],"expected_sources":["doc-1"],"tags":["smoke","x"],"answerable":true,"history":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],"human":{"rating":4,"thumbs":false},"trace_id":"t-1"}

            {"question":"No id here","answerable":false,"human":{"rating":5,"thumbs":true},"tags":null}
            {"question":"Third","human":{"rating":2}}
            """
        let items = try DatasetImport.parse(Data(text.utf8), format: .jsonl)
        #expect(
            items == [
                EvalItem(
                    id: "q1", question: "What is X?",
                    history: [.init(role: "user", content: "hi"), .init(role: "assistant", content: "hello")],
                    expectedAnswer: "X is Y", expectedFacts: ["X is Y"], expectedSources: ["doc-1"],
                    tags: ["smoke", "x"], answerable: true, human: .init(rating: 4, thumbs: false), traceID: "t-1"),
                EvalItem(id: "item-2", question: "No id here", answerable: false, human: .init(rating: 5, thumbs: true)),
                EvalItem(id: "item-3", question: "Third", human: .init(rating: 2, thumbs: false)),
            ])
    }

    @Test func acceptsCRLFLineEndingsAndByteOrderMark() throws {
        let data = Data([0xEF, 0xBB, 0xBF] + Array("{\"question\":\"a\"}\r\n\r\n{\"question\":\"b\"}\r\n".utf8))
        let items = try DatasetImport.parse(data, format: .jsonl)
        #expect(items.map(\.question) == ["a", "b"])
        #expect(items.map(\.id) == ["item-1", "item-2"])
    }

    @Test func emptyExpectedAnswerAndTraceIDAreNone() throws {
        let items = try DatasetImport.parse(Data(#"{"question":"q","expected_answer":"","trace_id":""}"#.utf8), format: .jsonl)
        #expect(items.first?.expectedAnswer == nil)
        #expect(items.first?.traceID == nil)
    }

    @Test func unknownKeyIsNamedWithASuggestion() throws {
        let text = """
            {"question":"a"}
            {"question":"b"}
            {"question":"c","expected_anwser":"typo"}
            """
        let error = try #require(datasetProblems(text, .jsonl))
        #expect(error.problemCount == 1)
        let problem = try #require(error.problems.first)
        #expect(problem.line == 3)
        #expect(problem.field == "expected_anwser")
        #expect(problem.description.hasPrefix("line 3: unknown key 'expected_anwser' (did you mean 'expected_answer'?)"))
    }

    @Test func typeProblemsNameTheKey() throws {
        let lines = [
            #"{"question":"ok"}"#,
            #"{"question":"ok","expected_facts":"one fact"}"#,
            #"{"question":"ok","tags":[1,2]}"#,
            #"{"question":"ok","answerable":"yes"}"#,
            #"{"question":3}"#,
            #"{"question":"ok","id":7}"#,
            #"{"question":"ok","history":"hi"}"#,
            #"{"question":"ok","human":5}"#,
            #"{"question":"ok","expected_answer":["a"]}"#,
        ]
        let error = try #require(datasetProblems(lines.joined(separator: "\n"), .jsonl))
        #expect(
            error.problems.map(\.description) == [
                "line 2: expected_facts must be an array of strings",
                "line 3: tags must be an array of strings",
                "line 4: answerable must be true or false",
                "line 5: question must be a string",
                "line 6: id must be a string",
                "line 7: history must be an array of {\"role\", \"content\"} objects",
                "line 8: human must be an object with rating (1 to 5) and thumbs (true or false)",
                "line 9: expected_answer must be a string",
            ])
        #expect(
            error.problems.map(\.field) == [
                "expected_facts", "tags", "answerable", "question", "id", "history", "human", "expected_answer",
            ])
    }

    @Test func structuralProblems() throws {
        let lines = [
            #"{"question":"ok"}"#,
            #"{"question":"ok""#,
            #"["question"]"#,
            #"{"answerable":true}"#,
            #"{"question":"   "}"#,
            #"{"question":"ok","id":"has space"}"#,
            #"{"question":"ok","history":[{"role":"system","content":"x"}]}"#,
            #"{"question":"ok","history":[{"role":"user","text":"x"}]}"#,
            #"{"question":"ok","human":{"rating":6}}"#,
            #"{"question":"ok","human":{"rating":3,"thumbs":true}}"#,
            #"{"question":"ok","human":{"rating":2.5}}"#,
        ]
        let error = try #require(datasetProblems(lines.joined(separator: "\n"), .jsonl))
        let byLine = Dictionary(grouping: error.problems, by: { $0.line ?? 0 }).mapValues { $0.map(\.message) }
        #expect(byLine[2] == ["is not valid JSON"])
        #expect(byLine[3] == ["must be a JSON object"])
        #expect(byLine[4] == ["question is required"])
        #expect(byLine[5] == ["question must not be empty"])
        #expect(byLine[6]?.first?.hasPrefix("id 'has space' must be 1 to 128 characters") == true)
        #expect(byLine[7] == ["history turn 1: role must be user or assistant, not 'system'"])
        #expect(byLine[8]?.count == 2)
        #expect(byLine[8]?.first?.hasPrefix("history turn 1: unknown key 'text'") == true)
        #expect(byLine[8]?.last == "history turn 1: content must be a string")
        #expect(byLine[9] == ["human.rating must be an integer from 1 to 5"])
        #expect(byLine[10] == ["human.thumbs is true, so human.rating must be 1 (down) or 5 (up)"])
        #expect(byLine[11] == ["human.rating must be an integer from 1 to 5"])
        #expect(error.problems.map { $0.line ?? 0 } == error.problems.map { $0.line ?? 0 }.sorted())
    }

    @Test func duplicateIDsIncludingGeneratedOnes() throws {
        let text = """
            {"id":"a","question":"1"}
            {"id":"item-3","question":"2"}
            {"question":"3"}
            {"id":"a","question":"4"}
            """
        let error = try #require(datasetProblems(text, .jsonl))
        #expect(
            error.problems.map(\.description) == [
                "line 3: id item-3 (given to this item, which has none) is already used on line 2",
                "line 4: id 'a' is already used on line 1",
            ])
    }

    @Test func emptyDatasetIsRefused() throws {
        for text in ["", "\n\n  \n"] {
            let error = try #require(datasetProblems(text, .jsonl))
            #expect(error.problems.map(\.description) == ["the dataset has no items"])
        }
    }

    @Test func deepNestingIsRefusedNotRecursedInto() throws {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let error = try #require(datasetProblems("{\"question\":\"q\",\"history\":\(deep)}", .jsonl))
        #expect(error.problems.first?.line == 1)
    }

    /// Guards the key list against drift from `EvalItem`'s own Codable keys.
    @Test func keysAreEvalItemsCodingKeys() throws {
        let full = EvalItem(
            id: "a", question: "q", history: [.init(role: "user", content: "c")], expectedAnswer: "x",
            expectedFacts: ["f"], expectedSources: ["s"], tags: ["t"], answerable: false,
            human: .init(rating: 1, thumbs: true), traceID: "t")
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(full)) as? [String: Any])
        #expect(Set(object.keys) == Set(DatasetKey.allCases.map(\.rawValue)))
    }
}
