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
        /// Bound on a whole call's response head, counted from sending the request. A whole answer's head
        /// comes once the model has written all of it, so this must cover the longest whole generation.
        public var firstByte: TimeAmount
        /// Bound on the silence between two events of a stream.
        public var idle: TimeAmount

        public init(
            total: TimeAmount = .seconds(300), firstToken: TimeAmount = .seconds(30),
            firstByte: TimeAmount = .seconds(120), idle: TimeAmount = .seconds(30)
        ) {
            self.total = total
            self.firstToken = firstToken
            self.firstByte = firstByte
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

    /// One JSON request, one JSON answer: the head within the first-byte timeout, all of it within the total.
    private func exchange<Reply: Decodable & Sendable>(_ body: some Encodable, url: String, as: Reply.Type)
        async throws -> UpstreamReply<Reply>
    {
        let sent = NIODeadline.now()
        let endBy = sent + timeouts.total
        let response = try await send(body, url: url, streaming: false, headDeadline: min(sent + timeouts.firstByte, endBy))
        let rateLimits = UpstreamRateLimits(headers: response.headers, now: .now)
        let bytes: ByteBuffer
        do {
            // An upstream that sent its head and then stalls must not hold the call past its deadline.
            bytes = try await Self.within(endBy, deployment: deployment.name) {
                try await response.body.collect(upTo: Self.maxResponseBody)
            }
        } catch {
            throw classify(error, truncatedIfClosed: true)
        }
        do {
            return UpstreamReply(
                try JSONDecoder().decode(Reply.self, from: Data(bytes.readableBytesView)),
                rateLimits: rateLimits)
        } catch {
            throw UpstreamError(.malformed, deployment: deployment.name, status: Int(response.status.code))
        }
    }

    /// Runs `operation`, throwing a timeout (and cancelling it) if it has not finished by `deadline`.
    static func within<Value: Sendable>(
        _ deadline: NIODeadline, deployment: String,
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(max(0, (deadline - .now()).nanoseconds)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw UpstreamError(.timeout, deployment: deployment)
            }
            return value
        }
    }

    public func stream(_ request: ChatCompletionRequest) async throws -> UpstreamReply<ChatCompletionChunkStream> {
        var upstream = request
        upstream.model = deployment.upstreamModel
        upstream.stream = true
        // Always ask for usage so that every turn is metered; the gateway hides it from callers who did not ask.
        upstream.streamOptions = .init(includeUsage: true)
        let sent = NIODeadline.now()
        let response = try await send(
            upstream, url: deployment.chatCompletionsURL, streaming: true,
            headDeadline: sent + min(timeouts.firstToken, timeouts.total))
        let rateLimits = UpstreamRateLimits(headers: response.headers, now: .now)
        let deploymentName = deployment.name
        let (stream, continuation) = ChatCompletionChunkStream.makeStream()
        let watchdog = StreamWatchdog(firstTokenBy: sent + timeouts.firstToken, idle: timeouts.idle, endBy: sent + timeouts.total)
        let reader = Task {
            var reading = UpstreamStreamReader(deployment: deploymentName)
            do {
                for try await buffer in response.body {
                    for chunk in try reading.consume(buffer.readableBytesView) {
                        watchdog.heard(output: chunk.carriesOutput)
                        continuation.yield(chunk)
                    }
                    if reading.isDone {
                        continuation.finish()
                        return
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
        // Deadlines only move later as events come, so it sleeps until the current one and looks again then,
        // instead of polling.
        let guardian = Task {
            while !Task.isCancelled {
                let now = NIODeadline.now()
                let deadline = watchdog.deadline()
                guard now < deadline else {
                    continuation.finish(throwing: UpstreamError(.timeout, deployment: deploymentName))
                    reader.cancel()
                    return
                }
                try? await Task.sleep(for: .nanoseconds((deadline - now).nanoseconds))
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
            let errorBody = try? await Self.within(.now() + .seconds(5), deployment: deployment.name) {
                try await response.body.collect(upTo: Self.maxErrorBody)
            }
            let reported = errorBody.flatMap { UpstreamErrorBody(Data($0.readableBytesView)) }
            throw UpstreamError(
                .status, deployment: deployment.name, status: Int(response.status.code),
                retryAfter: RetryAfter.duration(from: response.headers),
                upstreamMessage: reported?.message, upstreamType: reported?.type)
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

}
