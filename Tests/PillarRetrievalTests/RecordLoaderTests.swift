import Foundation
import Testing

@testable import PillarRetrieval

@Suite struct JSONLoaderTests {
    func load(_ json: String, _ format: DocumentFormat = .json) throws -> LoadedDocument {
        try DocumentLoader().load(Data(json.utf8), format: format)
    }

    @Test func aSingleObjectIsOneRecordTitledByItsTitle() throws {
        let document = try load(
            #"{"title": "Pump P-4", "specs": {"flow": 12.50, "unit": "l/s"}, "tags": ["water", "pump"], "retired": false, "note": null}"#
        )
        #expect(document.title == "Pump P-4")
        #expect(document.text == "title: Pump P-4\nspecs.flow: 12.50\nspecs.unit: l/s\ntags: water, pump\nretired: false")
        #expect(document.sections == [Section(headingPath: ["Pump P-4"], range: 0..<document.text.unicodeScalars.count)])
    }

    @Test func anArrayIsOneSectionPerRecord() throws {
        let document = try load(
            #"[{"name": "Ada", "langs": [{"n": "x"}, {"n": "y"}]}, {"id": 2, "text": "line1\nline2 \u00e9 \ud83d\ude00"}, {}, 7]"#
        )
        #expect(document.title == nil)
        #expect(document.sections.map(\.headingPath) == [["Ada"], ["record 2"], ["record 4"]])
        #expect(document.text(in: document.sections[0].range) == "name: Ada\nlangs[0].n: x\nlangs[1].n: y\n\n")
        #expect(document.text(in: document.sections[1].range) == "id: 2\ntext: line1\nline2 é 😀\n\n")
        #expect(document.text(in: document.sections[2].range) == "7")
        assertContiguous(document)
    }

    @Test func keysKeepTheirOrder() throws {
        #expect(try load(#"{"z": 1, "a": 2, "m": 3}"#).text == "z: 1\na: 2\nm: 3")
    }

    @Test(arguments: [
        ("{\"a\": 1,\n \"b\": }", "line 2, column 7"),
        ("[1, 2", "line 1, column 6"),
        ("{\"a\": \"unterminated}", "unterminated string"),
        ("{\"a\": 1} extra", "unexpected text"),
        ("{'a': 1}", "expected a quoted key"),
        (String(repeating: "[", count: 10_000), "nested more than"),
    ])
    func malformedJSONNamesWhereItBroke(json: String, detail: String) {
        #expect {
            try load(json)
        } throws: { error in
            guard let error = error as? LoadingError, case .malformed(let message) = error.code else { return false }
            return message.contains(detail)
        }
    }

    @Test func jsonLinesIsOneRecordPerLine() throws {
        let document = try load("{\"title\": \"first\", \"n\": 1}\n\n{\"n\": 2}\r\n", .jsonl)
        #expect(document.sections.map(\.headingPath) == [["first"], ["record 2"]])
        #expect(document.text == "title: first\nn: 1\n\nn: 2")
    }

    @Test func malformedJSONLinesReportsTheLineNumber() {
        let input = "{\"n\": 1}\n\n{\"n\": 2}\n{\"n\": 3,}\n{\"n\": 4}"
        #expect(throws: LoadingError.malformed("invalid JSON on line 4, column 9: expected a quoted key")) {
            try load(input, .jsonl)
        }
    }
}

@Suite struct CSVLoaderTests {
    func load(_ csv: String) throws -> LoadedDocument {
        try DocumentLoader().load(Data(csv.utf8), format: .csv)
    }

    @Test func rowsBecomeHeaderValueRecords() throws {
        let document = try load(
            "name,quote,age\r\nAda,\"Said \"\"hi\"\", then, left\",36\r\n\r\n\"Bob\nJr\",\"multi\r\nline\",,extra\r\n")
        #expect(document.sections.map(\.headingPath) == [["row 2"], ["row 4"]])
        #expect(document.text(in: document.sections[0].range) == "name: Ada\nquote: Said \"hi\", then, left\nage: 36\n\n")
        #expect(document.text(in: document.sections[1].range) == "name: Bob\nJr\nquote: multi\nline\ncolumn 4: extra")
        assertContiguous(document)
    }

    @Test func anUnterminatedQuoteNamesItsRow() {
        #expect(throws: LoadingError.malformed("row 3 has a quoted field that is never closed (it opens on line 3)")) {
            try load("a,b\n1,2\n3,\"never closed\n4,5\n")
        }
    }

    @Test func blankHeadersAreNamedByColumn() throws {
        #expect(try load("id,,\n1,x,y").text == "id: 1\ncolumn 2: x\ncolumn 3: y")
    }
}
