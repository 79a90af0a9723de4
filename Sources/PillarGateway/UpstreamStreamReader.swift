import Foundation
import PillarCore

/// Turns an upstream's event stream into chunks and decides how it ended. A stream only ends well with
/// `data: [DONE]` after a finish reason; an error it reports inside the stream (llama.cpp's `error:` line,
/// `event: error`, a `data:` object holding `error`) fails it, so a failure is never relayed as an empty,
/// successful answer.
struct UpstreamStreamReader: Sendable {
    let deployment: String
    private var parser = ServerSentEventParser()
    private let decoder = JSONDecoder()
    private var finishReasonSeen = false
    /// Whether `[DONE]` arrived after a finish reason; nothing after it is read.
    private(set) var isDone = false

    init(deployment: String) {
        self.deployment = deployment
    }

    mutating func consume(_ bytes: some Sequence<UInt8>) throws -> [ChatCompletionChunk] {
        guard !isDone else { return [] }
        var chunks: [ChatCompletionChunk] = []
        let events: [ServerSentEventRecord]
        do {
            events = try parser.consume(bytes)
        } catch {
            throw UpstreamError(.malformed, deployment: deployment)
        }
        for event in events {
            if event.kind == .error { throw streamError(UpstreamErrorBody(Data(event.data.utf8))) }
            if event.data == "[DONE]" {
                guard finishReasonSeen else { throw UpstreamError(.truncated, deployment: deployment) }
                isDone = true
                return chunks
            }
            guard let chunk = try? decoder.decode(ChatCompletionChunk.self, from: Data(event.data.utf8)) else {
                throw UpstreamError(.malformed, deployment: deployment)
            }
            if chunk.extra["error"].map({ $0 != .null }) ?? false {
                throw streamError(UpstreamErrorBody(Data(event.data.utf8)))
            }
            if chunk.choices.contains(where: { $0.finishReason != nil }) { finishReasonSeen = true }
            chunks.append(chunk)
        }
        return chunks
    }

    private func streamError(_ body: UpstreamErrorBody?) -> UpstreamError {
        UpstreamError(.streamError, deployment: deployment, status: body?.code, upstreamMessage: body?.message,
                      upstreamType: body?.type)
    }
}

/// What an upstream said of an error: OpenAI's `{"error": {"message", "type", "code"}}`, llama.cpp's bare
/// `{"code", "message", "type"}`, or the first bytes of whatever else it sent.
struct UpstreamErrorBody: Sendable, Hashable {
    var message: String?
    var type: String?
    /// An HTTP status given as the error's code (llama.cpp's 500, 501…); OpenAI's string codes are not one.
    var code: Int?

    init?(_ data: Data) {
        guard !data.isEmpty else { return nil }
        guard case .object(var fields)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            message = String(String(decoding: data.prefix(500), as: UTF8.self))
            return
        }
        if case .object(let inner)? = fields["error"] { fields = inner }
        message = (fields["message"]?.stringValue ?? fields["error"]?.stringValue).map { String($0.prefix(500)) }
        type = fields["type"]?.stringValue.map { String($0.prefix(100)) }
        if case .number(let number)? = fields["code"], (100...599).contains(number) { code = Int(number) }
    }
}
