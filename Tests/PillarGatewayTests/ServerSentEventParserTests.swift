import Testing

@testable import PillarGateway

@Suite struct ServerSentEventParserTests {
    @Test(arguments: [
        ("data: a\n\ndata: b\n\n", ["a", "b"]),
        ("data: a\r\n\r\ndata: b\r\n\r\n", ["a", "b"]),
        ("data: a\r\rdata: b\r\r", ["a", "b"]),
        (": keep-alive\n\ndata: x\n\n", ["x"]),
        ("event: message\nid: 7\ndata: x\n\n", ["x"]),
        ("data: line one\ndata: line two\n\n", ["line one\nline two"]),
        ("data:no-space\n\n", ["no-space"]),
        ("data: [DONE]\n\n", ["[DONE]"]),
    ])
    func parsesWholeInput(input: String, expected: [String]) throws {
        var parser = ServerSentEventParser()
        #expect(try parser.consume(Array(input.utf8)).map(\.data) == expected)
    }

    @Test func eventsSplitAcrossBuffersAtEveryByte() throws {
        let input = Array("data: {\"a\":1}\r\n\r\ndata: {\"b\":2}\n\n".utf8)
        for split in 0...input.count {
            var parser = ServerSentEventParser()
            let events = try parser.consume(input[..<split]) + parser.consume(input[split...])
            #expect(events.map(\.data) == ["{\"a\":1}", "{\"b\":2}"], "split at \(split)")
        }
    }

    @Test func unterminatedEventIsDeliveredAtFinish() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.consume(Array("data: tail".utf8)).isEmpty)
        #expect(parser.finish()?.data == "tail")
    }

    /// llama.cpp reports a failure inside a stream as a non-standard `error:` line before `data: [DONE]`;
    /// the standard way is `event: error`. Both must reach the reader as errors, not be skipped.
    @Test(arguments: [
        (
            "error: {\"code\":500,\"message\":\"boom\"}\n\ndata: [DONE]\n\n",
            [ServerSentEventRecord(.error, data: "{\"code\":500,\"message\":\"boom\"}"), ServerSentEventRecord(data: "[DONE]")]
        ),
        (
            "event: error\ndata: {\"message\":\"x\"}\n\ndata: a\n\n",
            [ServerSentEventRecord(.error, data: "{\"message\":\"x\"}"), ServerSentEventRecord(data: "a")]
        ),
        ("event: message\ndata: a\n\n", [ServerSentEventRecord(data: "a")]),
    ])
    func errorEventsAreKept(input: String, expected: [ServerSentEventRecord]) throws {
        var parser = ServerSentEventParser()
        #expect(try parser.consume(Array(input.utf8)) == expected)
    }

    @Test func refusesEndlessLine() {
        var parser = ServerSentEventParser(maxLineBytes: 16)
        #expect(throws: ServerSentEventParser.ParseError.lineTooLong) {
            try parser.consume(Array(String(repeating: "x", count: 17).utf8))
        }
    }
}
