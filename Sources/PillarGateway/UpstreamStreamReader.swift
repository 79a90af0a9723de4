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
        UpstreamError(
            .streamError, deployment: deployment, status: body?.code, upstreamMessage: body?.message,
            upstreamType: body?.type)
    }
}
