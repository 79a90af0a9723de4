import Foundation
import Testing

@testable import PillarRetrieval

@Suite struct DocumentFormatTests {
    @Test(arguments: [
        ("notes.txt", DocumentFormat.text), ("README.TEXT", .text), ("guide.md", .markdown), ("a.markdown", .markdown),
        ("index.html", .html), ("old.HTM", .html), ("data.json", .json), ("log.jsonl", .jsonl), ("log.ndjson", .jsonl),
        ("table.csv", .csv), ("paper.pdf", .pdf), ("archive.tar.pdf", .pdf),
    ])
    func detectsByExtension(fileName: String, format: DocumentFormat) {
        #expect(DocumentFormat.detect(fileName: fileName, contentType: nil) == format)
    }

    @Test(arguments: [
        ("text/plain; charset=utf-8", DocumentFormat.text), ("text/markdown", .markdown), ("TEXT/HTML", .html),
        ("application/xhtml+xml", .html), ("application/json", .json), ("application/ld+json", .json),
        ("application/x-ndjson", .jsonl), ("application/jsonl", .jsonl), ("text/csv", .csv), ("application/pdf", .pdf),
    ])
    func detectsByMIMEType(contentType: String, format: DocumentFormat) {
        #expect(DocumentFormat.detect(fileName: nil, contentType: contentType) == format)
    }

    @Test func extensionWinsOverAGenericContentType() {
        #expect(DocumentFormat.detect(fileName: "guide.md", contentType: "text/plain") == .markdown)
        #expect(DocumentFormat.detect(fileName: "upload", contentType: "text/csv") == .csv)
    }

    @Test(
        arguments: [("image.png", "image/png"), ("noextension", "application/octet-stream"), ("trailingdot.", nil)]
            as [(String, String?)])
    func unknownFormatsAreNil(fileName: String, contentType: String?) {
        #expect(DocumentFormat.detect(fileName: fileName, contentType: contentType) == nil)
    }

    @Test func loadingAnUnknownFormatThrowsUnsupportedFormat() {
        #expect(throws: LoadingError.unsupportedFormat) {
            try DocumentLoader().load(Data("x".utf8), fileName: "photo.png", contentType: "image/png")
        }
    }

    @Test(arguments: DocumentFormat.allCases)
    func emptyDocumentsThrowEmpty(format: DocumentFormat) {
        let blank: String =
            switch format {
            case .json: "[]"
            case .jsonl: "\n  \n"
            case .csv: "name,age\n"
            case .html: "<html><head><title>t</title><script>x()</script></head><body> </body></html>"
            case .pdf: ""
            default: " \n\t\n"
            }
        #expect(throws: LoadingError.empty) {
            try DocumentLoader().load(Data(blank.utf8), format: format)
        }
    }

    @Test func errorsHaveStableIdentifiersAndReadableMessages() {
        let error = LoadingError.malformed("row 3 has a quoted field that is never closed")
        #expect(error.identifier == "malformed_document")
        #expect(error.message.contains("row 3"))
        #expect(LoadingError.empty.identifier == "empty_document")
        #expect(LoadingError.pdfToolMissing.message.contains("pdftotext"))
    }
}
