/// The kinds of document Pillar can ingest for retrieval.
public enum DocumentFormat: String, Sendable, Codable, CaseIterable {
    case text, markdown, html, json, jsonl, csv, pdf

    /// Picks the format from the file name's extension, else from the MIME type, else nil.
    ///
    /// The extension wins because browsers and HTTP clients often send a generic or wrong
    /// content type (`application/octet-stream`, `text/plain` for a `.md` file), while the
    /// name the user chose is usually right.
    public static func detect(fileName: String?, contentType: String?) -> DocumentFormat? {
        if let fileName, let format = fromExtension(of: fileName) { return format }
        if let contentType, let format = fromMIMEType(contentType) { return format }
        return nil
    }

    static func fromExtension(of fileName: String) -> DocumentFormat? {
        guard let dot = fileName.lastIndex(of: "."), fileName.index(after: dot) < fileName.endIndex else { return nil }
        switch fileName[fileName.index(after: dot)...].lowercased() {
        case "txt", "text": return .text
        case "md", "markdown": return .markdown
        case "html", "htm": return .html
        case "json": return .json
        case "jsonl", "ndjson": return .jsonl
        case "csv": return .csv
        case "pdf": return .pdf
        default: return nil
        }
    }

    static func fromMIMEType(_ contentType: String) -> DocumentFormat? {
        // Parameters such as `; charset=utf-8` do not change the format.
        let essence = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let mime = essence.trimmingCharacters(in: .whitespaces).lowercased()
        switch mime {
        case "text/plain": return .text
        case "text/markdown", "text/x-markdown": return .markdown
        case "text/html", "application/xhtml+xml": return .html
        case "application/json", "text/json": return .json
        case "application/jsonl", "application/x-jsonl", "application/jsonlines", "application/x-jsonlines",
            "application/ndjson", "application/x-ndjson":
            return .jsonl
        case "text/csv", "application/csv": return .csv
        case "application/pdf": return .pdf
        default:
            // Structured-syntax suffix (RFC 6839): `application/ld+json` and friends are JSON.
            return mime.hasSuffix("+json") ? .json : nil
        }
    }
}
