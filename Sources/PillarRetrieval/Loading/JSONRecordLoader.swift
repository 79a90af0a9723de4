/// JSON and JSON Lines documents become records rendered as `key: value` lines, one section per
/// record, so chunks never mix two records and a hit can be traced back to its record.
enum JSONRecordLoader {
    static func loadJSON(_ text: String) throws(LoadingError) -> LoadedDocument {
        let value: OrderedJSON
        do {
            value = try OrderedJSONParser.parse(text)
        } catch {
            throw .malformed("invalid JSON at line \(error.line), column \(error.column): \(error.reason)")
        }
        if case .array(let elements) = value {
            return try build(elements.enumerated().map { ($0.offset + 1, $0.element) }, singleRecordTitle: false)
        }
        return try build([(1, value)], singleRecordTitle: true)
    }

    /// One record per non-empty line; a malformed line is reported by its line number in the file.
    static func loadJSONLines(_ text: String) throws(LoadingError) -> LoadedDocument {
        var records: [(number: Int, value: OrderedJSON)] = []
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (offset, line) in lines.enumerated() {
            let lineText = Substring(line)
            guard !TextDecoding.isBlank(lineText) else { continue }
            do {
                records.append((records.count + 1, try OrderedJSONParser.parse(lineText)))
            } catch {
                throw .malformed("invalid JSON on line \(offset + 1), column \(error.column): \(error.reason)")
            }
        }
        return try build(records, singleRecordTitle: false)
    }

    /// Lays the records out one after another, separated by a blank line that belongs to the record
    /// before it (so sections stay contiguous). Records that render to nothing (`{}`, all nulls)
    /// are skipped but keep their number.
    private static func build(_ records: [(number: Int, value: OrderedJSON)], singleRecordTitle: Bool) throws(LoadingError)
        -> LoadedDocument
    {
        var builder = SectionedTextBuilder()
        var documentTitle: String?
        for (number, value) in records {
            let lines = RecordRenderer.lines(of: value)
            guard !lines.isEmpty else { continue }
            let title = RecordRenderer.title(of: value)
            if builder.scalarCount > 0 { builder.append("\n\n") }
            builder.startSection([title ?? "record \(number)"])
            builder.append(lines.joined(separator: "\n"))
            if singleRecordTitle { documentTitle = title }
        }
        return try builder.build(title: documentTitle)
    }
}

/// Renders one record as readable `key: value` lines: nested objects flatten to dotted keys
/// (`address.city: Paris`), arrays of plain values join with commas, arrays holding objects
/// number their elements (`items[0].name: bolt`), and nulls and empty strings are left out.
enum RecordRenderer {
    static func lines(of value: OrderedJSON) -> [String] {
        var lines: [String] = []
        switch value {
        case .object, .array: flatten(value, key: "", into: &lines)
        default: if let text = scalarText(value) { lines.append(text) }
        }
        return lines
    }

    /// The record's `title` (else `name`) when it is a non-empty string or number.
    static func title(of value: OrderedJSON) -> String? {
        guard case .object(let members) = value else { return nil }
        for key in ["title", "name"] {
            guard let member = members.first(where: { $0.key == key }), let text = scalarText(member.value) else { continue }
            let collapsed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if !collapsed.isEmpty { return String(collapsed.prefix(200)) }
        }
        return nil
    }

    private static func flatten(_ value: OrderedJSON, key: String, into lines: inout [String]) {
        switch value {
        case .object(let members):
            for member in members {
                flatten(member.value, key: key.isEmpty ? member.key : key + "." + member.key, into: &lines)
            }
        case .array(let elements):
            if elements.allSatisfy(isScalar) {
                let joined = elements.compactMap(scalarText).joined(separator: ", ")
                if !joined.isEmpty { lines.append(key.isEmpty ? joined : "\(key): \(joined)") }
            } else {
                for (index, element) in elements.enumerated() {
                    flatten(element, key: "\(key)[\(index)]", into: &lines)
                }
            }
        default:
            if let text = scalarText(value) { lines.append(key.isEmpty ? text : "\(key): \(text)") }
        }
    }

    private static func isScalar(_ value: OrderedJSON) -> Bool {
        switch value {
        case .object, .array: false
        default: true
        }
    }

    private static func scalarText(_ value: OrderedJSON) -> String? {
        switch value {
        case .string(let text): text.isEmpty ? nil : TextDecoding.normalizeLineBreaks(text)
        case .number(let literal): literal
        case .bool(let flag): flag ? "true" : "false"
        case .null, .object, .array: nil
        }
    }
}
