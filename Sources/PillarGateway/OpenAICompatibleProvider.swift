import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PillarCore

/// Speaks OpenAI's chat completions protocol to an OpenAI-compatible server or to Azure OpenAI.
public struct OpenAICompatibleProvider: ModelProvider {
    public let deployment: ModelDeployment
    let httpClient: HTTPClient
    let timeouts: Timeouts
    let logger: Logger

    public struct Timeouts: Sendable, Hashable {
        /// Bound on a whole non-streamed call, and on a stream's whole life.
        public var total: TimeAmount
        /// Bound on a stream's first token, counted from sending the request.
        public var firstToken: TimeAmount
        /// Bound on the silence between two events of a stream.
        public var idle: TimeAmount

        public init(total: TimeAmount = .seconds(300), firstToken: TimeAmount = .seconds(30), idle: TimeAmount = .seconds(30)) {
            self.total = total
            self.firstToken = firstToken
            self.idle = idle
        }
    }

    /// Upstream error bodies are short; never read more than this of one.
    static let maxErrorBody = 64 * 1024
    static let maxResponseBody = 32 * 1024 * 1024

    public init(deployment: ModelDeployment, httpClient: HTTPClient, timeouts: Timeouts = .init(), logger: Logger) {
        self.deployment = deployment
        self.httpClient = httpClient
        self.timeouts = timeouts
        self.logger = logger
    }

    public func complete(_ request: ChatCompletionRequest) async throws -> UpstreamReply<ChatCompletion> {
        var upstream = request
        upstream.model = deployment.upstreamModel
        upstream.stream = nil
        upstream.streamOptions = nil
        return try await exchange(upstream, url: deployment.chatCompletionsURL, as: ChatCompletion.self)
    }

    /// Always asks for floats: base64 for a caller who wanted it is encoded at Pillar's edge.
    public func embed(_ request: EmbeddingsRequest) async throws -> UpstreamReply<EmbeddingsResponse> {
        var upstream = request
        upstream.model = deployment.upstreamModel
        upstream.encodingFormat = .float
        return try await exchange(upstream, url: deployment.embeddingsURL, as: EmbeddingsResponse.self)
    }

    /// One JSON request, one JSON answer, within the total timeout.
    private func exchange<Reply: Decodable & Sendable>(_ body: some Encodable, url: String, as: Reply.Type)
        async throws -> UpstreamReply<Reply>
    {
        let response = try await send(body, url: url, streaming: false, headDeadline: .now() + timeouts.total)
        let rateLimits = UpstreamRateLimits(headers: response.headers, now: .now)
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: Self.maxResponseBody)
        } catch {
            throw classify(error)
        }
        do {
            return UpstreamReply(try JSONDecoder().decode(Reply.self, from: Data(bytes.readableBytesView)),
                                 rateLimits: rateLimits)
        } catch {
            throw UpstreamError(.malformed, deployment: deployment.name, status: Int(response.status.code))
        }
    }

    public func stream(_ request: ChatCompletionRequest) async throws -> UpstreamReply<ChatCompletionChunkStream> {
        var upstream = request
        upstream.model = deployment.upstreamModel
        upstream.stream = true
        // Always ask for usage so that every turn is metered; the gateway hides it from callers who did not ask.
        upstream.streamOptions = .init(includeUsage: true)
        let sent = NIODeadline.now()
        let response = try await send(upstream, url: deployment.chatCompletionsURL, streaming: true,
                                      headDeadline: sent + min(timeouts.firstToken, timeouts.total))
        let rateLimits = UpstreamRateLimits(headers: response.headers, now: .now)
        let deploymentName = deployment.name
        let (stream, continuation) = ChatCompletionChunkStream.makeStream()
        let watchdog = StreamWatchdog(firstTokenBy: sent + timeouts.firstToken, idle: timeouts.idle, endBy: sent + timeouts.total)
        let reader = Task {
            var parser = ServerSentEventParser()
            let decoder = JSONDecoder()
            do {
                for try await buffer in response.body {
                    for event in try parser.consume(buffer.readableBytesView) {
                        if event == "[DONE]" {
                            continuation.finish()
                            return
                        }
                        guard let chunk = try? decoder.decode(ChatCompletionChunk.self, from: Data(event.utf8)) else {
                            throw UpstreamError(.malformed, deployment: deploymentName)
                        }
                        watchdog.heard(content: !chunk.contentDelta.isEmpty)
                        continuation.yield(chunk)
                    }
                }
                throw UpstreamError(.truncated, deployment: deploymentName)
            } catch let error as UpstreamError {
                continuation.finish(throwing: error)
            } catch is CancellationError {
                continuation.finish(throwing: CancellationError())
            } catch {
                continuation.finish(throwing: classify(error, truncatedIfClosed: true))
            }
        }
        // Ends a stream that went silent: no first token in time, too long between events, or too long overall.
        let guardian = Task {
            while !Task.isCancelled {
                let now = NIODeadline.now()
                let deadline = watchdog.deadline()
                guard now < deadline else {
                    continuation.finish(throwing: UpstreamError(.timeout, deployment: deploymentName))
                    reader.cancel()
                    return
                }
                try? await Task.sleep(for: .nanoseconds(min((deadline - now).nanoseconds, 50_000_000)))
            }
        }
        continuation.onTermination = { _ in
            reader.cancel()
            guardian.cancel()
        }
        return UpstreamReply(stream, rateLimits: rateLimits)
    }

    public func isReachable() async -> Bool {
        var request = HTTPClientRequest(url: deployment.healthURL ?? deployment.modelsURL)
        authorize(&request)
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(3))
            _ = try? await response.body.collect(upTo: 1024 * 1024)
            return deployment.healthURL == nil ? response.status.code < 500 : (200..<300).contains(response.status.code)
        } catch {
            return false
        }
    }

    private func authorize(_ request: inout HTTPClientRequest) {
        guard let key = deployment.apiKey, !key.isEmpty else { return }
        switch deployment.api {
        case .openAI: request.headers.add(name: "Authorization", value: "Bearer \(key)")
        case .azureOpenAI: request.headers.add(name: "api-key", value: key)
        }
    }

    /// Sends the request and returns the response once its head says success.
    private func send(_ body: some Encodable, url: String, streaming: Bool, headDeadline: NIODeadline)
        async throws -> HTTPClientResponse
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: streaming ? "text/event-stream" : "application/json")
        authorize(&request)
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, deadline: headDeadline, logger: logger)
        } catch {
            throw classify(error)
        }
        guard (200..<300).contains(response.status.code) else {
            let errorBody = try? await response.body.collect(upTo: Self.maxErrorBody)
            throw UpstreamError(
                .status, deployment: deployment.name, status: Int(response.status.code),
                retryAfter: RetryAfter.duration(from: response.headers),
                upstreamMessage: errorBody.flatMap(Self.upstreamMessage))
        }
        return response
    }

    private func classify(_ error: any Error, truncatedIfClosed: Bool = false) -> UpstreamError {
        if let error = error as? UpstreamError { return error }
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                return UpstreamError(.timeout, deployment: deployment.name)
            }
            if truncatedIfClosed, error == .remoteConnectionClosed {
                return UpstreamError(.truncated, deployment: deployment.name)
            }
        }
        return UpstreamError(truncatedIfClosed ? .truncated : .connection, deployment: deployment.name)
    }

    /// OpenAI's `{"error": {"message": …}}`, or the first bytes of whatever else the upstream sent.
    static func upstreamMessage(from body: ByteBuffer) -> String? {
        let data = Data(body.readableBytesView)
        if case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: data) {
            if case .object(let error)? = fields["error"], let message = error["message"]?.stringValue {
                return String(message.prefix(500))
            }
            if let message = fields["error"]?.stringValue ?? fields["message"]?.stringValue {
                return String(message.prefix(500))
            }
        }
        let text = String(decoding: data.prefix(500), as: UTF8.self)
        return text.isEmpty ? nil : text
    }
}
