import Foundation
import Testing

@testable import PillarRetrieval

private let pdfToTextInstalled = FileManager.default.isExecutableFile(atPath: DocumentLoader.defaultPDFToText.path)

@Suite struct PDFLoaderTests {
    @Test(.enabled(if: pdfToTextInstalled, "pdftotext is not installed (Debian package poppler-utils)"))
    func roundTripsATwoPagePDF() throws {
        let pdf = MinimalPDF.make(pages: [["Pillar ingestion test.", "Second line here."], ["Page two says hello."]])
        let document = try DocumentLoader().load(pdf, format: .pdf)
        #expect(document.sections.map(\.headingPath) == [["page 1"], ["page 2"]])
        let first = document.text(in: document.sections[0].range)
        #expect(first.contains("Pillar ingestion test."))
        #expect(first.contains("Second line here."))
        #expect(
            document.text(in: document.sections[1].range).trimmingCharacters(in: .whitespacesAndNewlines)
                == "Page two says hello.")
        #expect(!document.text.contains("\u{0C}"))
        assertContiguous(document)
    }

    @Test(.enabled(if: pdfToTextInstalled, "pdftotext is not installed (Debian package poppler-utils)"))
    func aPDFWithoutTextIsEmpty() {
        #expect(throws: LoadingError.empty) {
            try DocumentLoader().load(MinimalPDF.make(pages: [[]]), format: .pdf)
        }
    }

    @Test(.enabled(if: pdfToTextInstalled, "pdftotext is not installed (Debian package poppler-utils)"))
    func garbageFailsWithTheToolsFirstLine() {
        #expect {
            try DocumentLoader().load(Data("this is not a PDF at all".utf8), format: .pdf)
        } throws: { error in
            guard let error = error as? LoadingError, case .pdfFailed(let detail) = error.code else { return false }
            return !detail.isEmpty && !detail.contains("\n")
        }
    }

    @Test func aMissingToolIsReported() {
        let loader = DocumentLoader(pdfToText: URL(fileURLWithPath: "/nonexistent/pdftotext"))
        #expect(throws: LoadingError.pdfToolMissing) {
            try loader.load(MinimalPDF.make(pages: [["x"]]), format: .pdf)
        }
    }

    /// A stand-in for pdftotext, so failure paths run without poppler.
    func fakeTool(_ script: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fake-pdftotext-\(UUID().uuidString)")
        try Data("#!/bin/sh\n\(script)\n".utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url
    }

    @Test func aToolThatExitsWithoutReadingDoesNotKillTheServer() throws {
        let tool = try fakeTool("echo 'Syntax Error: not a PDF' >&2\necho 'second line' >&2\nexit 3")
        defer { try? FileManager.default.removeItem(at: tool) }
        let bigInput = Data(repeating: 0x41, count: 4 << 20)  // far more than a pipe buffer: the write hits EPIPE
        #expect(throws: LoadingError.pdfFailed("Syntax Error: not a PDF")) {
            try DocumentLoader(pdfToText: tool).load(bigInput, format: .pdf)
        }
    }

    @Test func aHungToolIsKilledAtTheTimeout() throws {
        let tool = try fakeTool("exec sleep 30")
        defer { try? FileManager.default.removeItem(at: tool) }
        let extractor = PDFTextExtractor(executable: tool, timeout: .milliseconds(300))
        #expect {
            try extractor.extractText(from: Data("%PDF-1.4".utf8))
        } throws: { error in
            guard let error = error as? LoadingError, case .pdfFailed(let detail) = error.code else { return false }
            return detail.contains("longer than")
        }
    }

    @Test func pagesAreSplitAtFormFeeds() throws {
        let document = try PDFLoader.document(fromExtractedText: "  Title   \n\nbody   \n\u{0C}\u{0C}  third page\n\u{0C}")
        #expect(document.text == "  Title\n\nbody\n\n  third page")
        #expect(document.sections.map(\.headingPath) == [["page 1"], ["page 3"]])
    }
}

/// Writes a small valid PDF 1.4 (Helvetica text, one line per string) with a correct xref table,
/// so the tests need no fixture files.
enum MinimalPDF {
    static func make(pages: [[String]]) -> Data {
        var objects: [String] = []  // object n is objects[n - 1]
        let fontObject = 3 + pages.count * 2
        let pageObjects = pages.indices.map { 3 + $0 * 2 }
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        objects.append(
            "<< /Type /Pages /Kids [\(pageObjects.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(pages.count) >>")
        for (index, lines) in pages.enumerated() {
            let content = lines.enumerated().map { number, line in
                "BT /F1 14 Tf 72 \(720 - number * 24) Td (\(line)) Tj ET"
            }.joined(separator: "\n")
            objects.append(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 \(fontObject) 0 R >> >> /Contents \(pageObjects[index] + 1) 0 R >>"
            )
            objects.append("<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream")
        }
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")

        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, body) in objects.enumerated() {
            offsets.append(pdf.utf8.count)
            pdf += "\(index + 1) 0 obj\n\(body)\nendobj\n"
        }
        let xref = pdf.utf8.count
        pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { pdf += String(repeating: "0", count: 10 - String(offset).count) + "\(offset) 00000 n \n" }
        pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(pdf.utf8)
    }
}
