import Foundation
import Testing

@testable import PillarGateway

/// How an upstream stream may end: only `[DONE]` after a finish reason is success (issue 11, item 8).
@Suite struct UpstreamStreamReaderTests {
    static let token = #"data: {"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}"# + "\n\n"
    static let finish = #"data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n"

    func read(_ text: String) throws -> (chunks: Int, done: Bool) {
        var reader = UpstreamStreamReader(deployment: "d")
        let chunks = try reader.consume(Array(text.utf8))
        return (chunks.count, reader.isDone)
    }

    @Test func doneAfterAFinishReasonIsSuccess() throws {
        let result = try read(Self.token + Self.finish + "data: [DONE]\n\n")
        #expect(result.chunks == 2)
        #expect(result.done)
    }

    @Test(arguments: [
        // llama.cpp: an error line, then [DONE].
        (
            token + "error: {\"code\":500,\"message\":\"boom\",\"type\":\"server_error\"}\n\ndata: [DONE]\n\n",
            UpstreamError.Reason.streamError
        ),
        // The standard way to name an event.
        (token + "event: error\ndata: {\"message\":\"boom\"}\n\n", .streamError),
        // An error object where a chunk should be.
        (token + "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n", .streamError),
        // [DONE] with no finish reason ever sent.
        (token + "data: [DONE]\n\n", .truncated),
        (token + "data: {not json\n\n", .malformed),
    ])
    func aFailureInsideTheStreamIsAnError(text: String, reason: UpstreamError.Reason) {
        #expect { try read(text) } throws: { ($0 as? UpstreamError)?.reason == reason }
    }

    @Test func anErrorLineCarriesTheUpstreamsStatusAndType() {
        let text = "error: {\"code\":501,\"message\":\"This server does not support chat\",\"type\":\"not_supported_error\"}\n\n"
        #expect {
            try read(text)
        } throws: { error in
            guard let error = error as? UpstreamError else { return false }
            return error.status == 501 && error.rejectsRequest && !error.isRetryable
                && error.asPillarError.code == "unsupported_operation"
        }
    }

    @Test func toolCallDeltasAreOutput() throws {
        var reader = UpstreamStreamReader(deployment: "d")
        let role = #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"# + "\n\n"
        let call =
            #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\""}}]}}]}"# + "\n\n"
        let chunks = try reader.consume(Array((role + call).utf8))
        #expect(chunks.map(\.carriesOutput) == [false, true])
    }
}
