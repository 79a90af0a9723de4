/// One event of a `text/event-stream`, as far as OpenAI-compatible streams use them.
public struct ServerSentEventRecord: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case message
        /// `event: error` with its data, or llama.cpp's non-standard `error: {…}` line, which it sends (followed
        /// by `data: [DONE]`) when a request fails in mid-stream.
        case error
    }

    public var kind: Kind
    public var data: String

    public init(_ kind: Kind = .message, data: String) {
        self.kind = kind
        self.data = data
    }
}

/// Incremental parser for `text/event-stream`: feed it bytes as they arrive, take whole events out.
/// `data:` fields make an event; `event: error` marks it as an error, and so does an `error:` field line,
/// which ends the event it belongs to at once. Comments (`:`) and other fields are skipped.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var data: [String] = []
    private var eventName: Substring?
    private var lastWasCR = false
    /// Upper bound on one line, so a peer that never sends a newline cannot grow memory without end.
    public let maxLineBytes: Int

    public init(maxLineBytes: Int = 4 * 1024 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    public enum ParseError: Error, Equatable {
        case lineTooLong
    }

    /// Consumes bytes and returns every event they complete.
    public mutating func consume(_ bytes: some Sequence<UInt8>) throws(ParseError) -> [ServerSentEventRecord] {
        var events: [ServerSentEventRecord] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n"), lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                endLine(into: &events)
            } else {
                line.append(byte)
                if line.count > maxLineBytes { throw .lineTooLong }
            }
        }
        return events
    }

    /// Ends the input: an event not closed by a blank line is still delivered.
    public mutating func finish() -> ServerSentEventRecord? {
        var events: [ServerSentEventRecord] = []
        if !line.isEmpty { endLine(into: &events) }
        endLine(into: &events)
        return events.last
    }

    private mutating func endLine(into events: inout [ServerSentEventRecord]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer {
                data.removeAll()
                eventName = nil
            }
            guard !data.isEmpty else { return }
            events.append(ServerSentEventRecord(eventName == "error" ? .error : .message, data: data.joined(separator: "\n")))
            return
        }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix(":") { return }
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
        switch field {
        case "data": data.append(String(value))
        case "event": eventName = value
        case "error": events.append(ServerSentEventRecord(.error, data: String(value)))
        default: break
        }
    }
}
