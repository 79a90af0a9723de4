/// Incremental parser for `text/event-stream`: feed it bytes as they arrive, take whole events out.
/// Only `data:` fields matter for OpenAI streams; comments (`:`) and other fields are skipped.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var data: [String] = []
    private var lastWasCR = false
    /// Upper bound on one line, so a peer that never sends a newline cannot grow memory without end.
    public let maxLineBytes: Int

    public init(maxLineBytes: Int = 4 * 1024 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    public enum ParseError: Error, Equatable {
        case lineTooLong
    }

    /// Consumes bytes and returns the `data` of every event they complete.
    public mutating func consume(_ bytes: some Sequence<UInt8>) throws(ParseError) -> [String] {
        var events: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n"), lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
                if line.count > maxLineBytes { throw .lineTooLong }
            }
        }
        return events
    }

    /// Ends the input: an event not closed by a blank line is still delivered.
    public mutating func finish() -> String? {
        if !line.isEmpty { _ = endLine() }
        return endLine()
    }

    private mutating func endLine() -> String? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            guard !data.isEmpty else { return nil }
            defer { data.removeAll() }
            return data.joined(separator: "\n")
        }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        if field == "data" { data.append(String(value)) }
        return nil
    }
}
