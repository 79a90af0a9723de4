/// One CSV record: its fields and the physical line it starts on.
struct CSVRecord: Sendable {
    var line: Int
    var fields: [String]
    /// True when the record broke the quoting rules (already reported): its fields are not what the writer
    /// meant, so they are not checked further.
    var isMalformed: Bool

    /// An empty physical line, which is skipped rather than read as an item with one empty field.
    var isBlank: Bool { fields.count == 1 && fields[0].isEmpty && !isMalformed }
}

/// Splits RFC 4180 CSV into records: fields separated by commas, records by CRLF or LF, a field in double
/// quotes may hold commas, line breaks and `""` for a quote. Works on UTF-8 bytes (already validated), where
/// every delimiter is one ASCII byte. Line numbers count LFs, so a record after a quoted multi-line field
/// gets its true line.
struct CSVRecordReader {
    private let bytes: ArraySlice<UInt8>
    private var index: Int
    private var line = 1

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    /// The next record, or nil at the end of the input.
    mutating func next(problems: inout DatasetProblemList) -> CSVRecord? {
        guard index < bytes.endIndex else { return nil }
        var record = CSVRecord(line: line, fields: [], isMalformed: false)
        while true {
            let field = readField(record: &record, problems: &problems)
            record.fields.append(String(decoding: field, as: UTF8.self))
            guard index < bytes.endIndex else { return record }
            switch bytes[index] {
            case Self.comma:
                index += 1
                if index == bytes.endIndex {
                    record.fields.append("")
                    return record
                }
            case Self.carriageReturn:
                index += 2  // readField stops at a CR only when an LF follows
                line += 1
                return record
            default:
                index += 1
                line += 1
                return record
            }
        }
    }

    /// Reads one field and leaves `index` on the delimiter after it (or at the end).
    private mutating func readField(record: inout CSVRecord, problems: inout DatasetProblemList) -> [UInt8] {
        var field: [UInt8] = []
        let fieldNumber = record.fields.count + 1
        if index < bytes.endIndex, bytes[index] == Self.quote {
            index += 1
            while true {
                guard index < bytes.endIndex else {
                    problems.add(line: record.line, "field \(fieldNumber) opens a quote that is never closed")
                    record.isMalformed = true
                    return field
                }
                let byte = bytes[index]
                index += 1
                if byte == Self.quote {
                    if index < bytes.endIndex, bytes[index] == Self.quote {
                        field.append(Self.quote)
                        index += 1
                    } else {
                        break
                    }
                } else {
                    if byte == Self.lineFeed { line += 1 }
                    field.append(byte)
                }
            }
            if !atDelimiter {
                problems.add(line: record.line, "field \(fieldNumber) has text after its closing quote")
                record.isMalformed = true
                skipToDelimiter()
            }
            return field
        }
        while !atDelimiter {
            if bytes[index] == Self.quote, !record.isMalformed {
                problems.add(
                    line: record.line,
                    "field \(fieldNumber) has a quote but does not start with one: quote the whole field and double the quotes inside"
                )
                record.isMalformed = true
            }
            field.append(bytes[index])
            index += 1
        }
        return field
    }

    /// At a comma, an LF, a CRLF or the end. A CR on its own is data, not a line break.
    private var atDelimiter: Bool {
        guard index < bytes.endIndex else { return true }
        switch bytes[index] {
        case Self.comma, Self.lineFeed: return true
        case Self.carriageReturn: return index + 1 < bytes.endIndex && bytes[index + 1] == Self.lineFeed
        default: return false
        }
    }

    private mutating func skipToDelimiter() {
        while !atDelimiter { index += 1 }
    }
}
