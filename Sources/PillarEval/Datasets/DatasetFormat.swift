/// The file formats an evaluation dataset is imported from and exported to.
public enum DatasetFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// One JSON object per line, keyed like `EvalItem`'s Codable keys.
    case jsonl
    /// RFC 4180 CSV with a header row naming the columns.
    case csv

    /// The format a client names: `jsonl`, `json-lines` or `csv` (any case).
    public init?(name: String) {
        switch name.trimmingCharacters(in: .whitespaces).lowercased() {
        case "jsonl", "json-lines": self = .jsonl
        case "csv": self = .csv
        default: return nil
        }
    }

    /// The format a file extension stands for (`jsonl`, `.CSV`…).
    public init?(fileExtension: String) {
        var ext = fileExtension.trimmingCharacters(in: .whitespaces).lowercased()
        if ext.hasPrefix(".") { ext.removeFirst() }
        switch ext {
        case "jsonl": self = .jsonl
        case "csv": self = .csv
        default: return nil
        }
    }

    /// The format of an uploaded file, from the extension of its name (`golden.jsonl`).
    public init?(fileName: String) {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return nil }
        self.init(fileExtension: String(fileName[fileName.index(after: dot)...]))
    }

    /// The extension an exported file gets, without the dot.
    public var fileExtension: String { rawValue }

    /// The Content-Type an export is served with.
    public var contentType: String {
        switch self {
        case .jsonl: "application/jsonl; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        }
    }
}
