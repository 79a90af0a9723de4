import Foundation

/// Turns uploaded bytes into a `LoadedDocument`. Text formats must be UTF-8 (a UTF-8 byte-order
/// mark is dropped, CRLF and CR become LF); PDFs go through poppler's `pdftotext`.
public struct DocumentLoader: Sendable {
    public static let defaultPDFToText = URL(fileURLWithPath: "/usr/bin/pdftotext")

    private let pdfExtractor: PDFTextExtractor

    /// - Parameter pdfToText: the `pdftotext` executable (Debian package `poppler-utils`).
    public init(pdfToText: URL? = nil) {
        pdfExtractor = PDFTextExtractor(executable: pdfToText ?? Self.defaultPDFToText)
    }

    /// Loads `data` as `format`. Throws `LoadingError`; `.empty` when the document has no visible text.
    /// PDFs block the calling thread while pdftotext runs (up to 60 s); call this off the
    /// cooperative thread pool for them.
    public func load(_ data: Data, format: DocumentFormat) throws -> LoadedDocument {
        try loadTyped(data, format: format)
    }

    /// Detects the format from the upload's file name or content type, then loads it.
    /// Throws `LoadingError.unsupportedFormat` when neither names a supported format.
    public func load(_ data: Data, fileName: String?, contentType: String?) throws -> LoadedDocument {
        guard let format = DocumentFormat.detect(fileName: fileName, contentType: contentType) else {
            throw LoadingError.unsupportedFormat
        }
        return try loadTyped(data, format: format)
    }

    private func loadTyped(_ data: Data, format: DocumentFormat) throws(LoadingError) -> LoadedDocument {
        switch format {
        case .text: return try Self.plainText(TextDecoding.decode(data))
        case .markdown: return try MarkdownLoader.load(TextDecoding.decode(data))
        case .html: return try HTMLLoader.load(HTMLCharset.decode(data))
        case .json: return try JSONRecordLoader.loadJSON(TextDecoding.decode(data))
        case .jsonl: return try JSONRecordLoader.loadJSONLines(TextDecoding.decode(data))
        case .csv: return try CSVLoader.load(TextDecoding.decode(data))
        case .pdf:
            guard !data.isEmpty else { throw .empty }
            return try PDFLoader.document(fromExtractedText: pdfExtractor.extractText(from: data))
        }
    }

    /// Plain text is kept exactly as decoded, as one untitled section.
    static func plainText(_ text: String) throws(LoadingError) -> LoadedDocument {
        guard !TextDecoding.isBlank(text) else { throw .empty }
        return LoadedDocument(text: text, sections: [Section(headingPath: [], range: 0..<text.unicodeScalars.count)])
    }
}

/// Old pages saved as Latin-1 or Windows-1252 still turn up; when the bytes are not UTF-8 and the
/// page declares one of those charsets, honour the declaration instead of refusing the page.
enum HTMLCharset {
    static func decode(_ data: Data) throws(LoadingError) -> String {
        do {
            return try TextDecoding.decode(data)
        } catch {
            let head = String(decoding: data.prefix(2048), as: UTF8.self).lowercased()
            let declaresLatin1 = ["iso-8859-1", "windows-1252", "latin1", "latin-1", "us-ascii", "cp1252"]
                .contains { head.contains("charset=\($0)") || head.contains("charset=\"\($0)\"") }
            guard declaresLatin1, let text = String(data: data, encoding: .windowsCP1252) else { throw error }
            return TextDecoding.normalizeLineBreaks(text)
        }
    }
}
