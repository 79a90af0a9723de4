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
        #expect(try parser.consume(Array(input.utf8)) == expected)
    }

    @Test func eventsSplitAcrossBuffersAtEveryByte() throws {
        let input = Array("data: {\"a\":1}\r\n\r\ndata: {\"b\":2}\n\n".utf8)
        for split in 0...input.count {
            var parser = ServerSentEventParser()
            let events = try parser.consume(input[..<split]) + parser.consume(input[split...])
            #expect(events == ["{\"a\":1}", "{\"b\":2}"], "split at \(split)")
        }
    }

    @Test func unterminatedEventIsDeliveredAtFinish() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.consume(Array("data: tail".utf8)).isEmpty)
        #expect(parser.finish() == "tail")
    }

    @Test func refusesEndlessLine() {
        var parser = ServerSentEventParser(maxLineBytes: 16)
        #expect(throws: ServerSentEventParser.ParseError.lineTooLong) {
            try parser.consume(Array(String(repeating: "x", count: 17).utf8))
        }
    }
}
