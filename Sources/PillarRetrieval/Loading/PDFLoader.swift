/// A PDF becomes the text pdftotext lays out, one section per page (`["page N"]`). pdftotext ends
/// every page with a form feed; pages are joined with a blank line instead, and pages with no text
/// (scans, blank pages) have no section but keep their number.
enum PDFLoader {
    static func document(fromExtractedText text: String) throws(LoadingError) -> LoadedDocument {
        var builder = SectionedTextBuilder()
        let pages = text.utf8.split(separator: 0x0C, omittingEmptySubsequences: false)
        for (index, page) in pages.enumerated() {
            // -layout pads columns with spaces; trailing ones carry nothing.
            let lines = Substring(page).split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
                guard let last = line.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
                return line[...last]
            }
            let pageText = lines.joined(separator: "\n").trimmingBlankLines()
            guard !TextDecoding.isBlank(pageText) else { continue }
            if builder.scalarCount > 0 { builder.append("\n\n") }
            builder.startSection(["page \(index + 1)"])
            builder.append(pageText)
        }
        return try builder.build(title: nil)
    }
}

extension String {
    /// Drops blank lines at both ends but keeps the indentation of the first line (it is layout).
    fileprivate func trimmingBlankLines() -> Substring {
        var lines = self[...].split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let first = lines.first, TextDecoding.isBlank(first) { lines = lines.dropFirst() }
        while let last = lines.last, TextDecoding.isBlank(last) { lines = lines.dropLast() }
        guard let first = lines.first, let last = lines.last else { return "" }
        return self[first.startIndex..<last.endIndex]
    }
}
