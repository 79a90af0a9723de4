/// Why a document could not be turned into text. `message` is written for the person who uploaded
/// the document: it names the problem and where it is, and never echoes the document's content.
public struct LoadingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case unsupportedFormat
        case invalidEncoding
        case malformed(String)
        case pdfToolMissing
        case pdfFailed(String)
        case empty
    }

    public var code: Code

    public init(_ code: Code) {
        self.code = code
    }

    public static let unsupportedFormat = LoadingError(.unsupportedFormat)
    public static let invalidEncoding = LoadingError(.invalidEncoding)
    public static let pdfToolMissing = LoadingError(.pdfToolMissing)
    public static let empty = LoadingError(.empty)
    public static func malformed(_ detail: String) -> LoadingError { LoadingError(.malformed(detail)) }
    public static func pdfFailed(_ detail: String) -> LoadingError { LoadingError(.pdfFailed(detail)) }

    /// A stable machine-readable name, safe as an API error code or a metric label.
    public var identifier: String {
        switch code {
        case .unsupportedFormat: "unsupported_document_format"
        case .invalidEncoding: "invalid_document_encoding"
        case .malformed: "malformed_document"
        case .pdfToolMissing: "pdf_tool_missing"
        case .pdfFailed: "pdf_extraction_failed"
        case .empty: "empty_document"
        }
    }

    public var message: String {
        switch code {
        case .unsupportedFormat:
            "This kind of document is not supported. Upload text, Markdown, HTML, JSON, JSON Lines, CSV or PDF."
        case .invalidEncoding:
            "The document is not valid UTF-8 text."
        case .malformed(let detail):
            "The document could not be read: \(detail)."
        case .pdfToolMissing:
            "PDF documents cannot be read on this server: its PDF text extractor (pdftotext) is not installed."
        case .pdfFailed(let detail):
            detail.isEmpty ? "The PDF could not be read." : "The PDF could not be read: \(detail)."
        case .empty:
            "The document contains no text."
        }
    }

    public var description: String { "\(identifier): \(message)" }
}
