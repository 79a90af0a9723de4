import Foundation

/// CSV (RFC 4180) becomes one record per row, rendered as `header: value` lines under the first
/// row's headers, one section per row (`["row N"]`). Rows are numbered as a spreadsheet shows them:
/// the header is row 1, the first data row is row 2.
enum CSVLoader {
    static func load(_ text: String) throws(LoadingError) -> LoadedDocument {
        let rows = try CSVParser.rows(of: text)
        guard let headerIndex = rows.firstIndex(where: { !isBlank($0) }) else { throw .empty }
        let headers = rows[headerIndex].enumerated().map { column, name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? "column \(column + 1)" : trimmed
        }
        var builder = SectionedTextBuilder()
        for (index, row) in rows.enumerated().dropFirst(headerIndex + 1) where !isBlank(row) {
            let lines = row.enumerated().compactMap { column, value -> String? in
                guard !TextDecoding.isBlank(value) else { return nil }
                let header = column < headers.count ? headers[column] : "column \(column + 1)"
                return "\(header): \(value)"
            }
            if builder.scalarCount > 0 { builder.append("\n\n") }
            builder.startSection(["row \(index + 1)"])
            builder.append(lines.joined(separator: "\n"))
        }
        return try builder.build(title: nil)
    }

    private static func isBlank(_ row: [String]) -> Bool {
        row.allSatisfy { TextDecoding.isBlank($0) }
    }
}

/// Splits CSV text into rows of fields: quoted fields may hold commas, doubled quotes and line
/// breaks. Line breaks are already `\n` (the loader normalised CRLF). Lenient where RFC 4180 is
/// strict but the intent is plain: a quote inside an unquoted field, or text after a closing quote,
/// is kept as written.
enum CSVParser {
    static func rows(of text: String) throws(LoadingError) -> [[String]] {
        let bytes = Array(text.utf8)
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var quoteOpenedOnLine = 0
        var line = 1
        var index = 0
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\"") where field.isEmpty:
                inQuotes = true
                quoteOpenedOnLine = line
            case UInt8(ascii: ","):
                endField()
            case 0x0A:
                endField()
                rows.append(row)
                row.removeAll()
                line += 1
            default:
                field.append(byte)
            }
        }
        if inQuotes {
            throw .malformed(
                "row \(rows.count + 1) has a quoted field that is never closed (it opens on line \(quoteOpenedOnLine))")
        }
        if !field.isEmpty || !row.isEmpty {
            endField()
            rows.append(row)
        }
        return rows
    }
}
