import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PillarCore
import PillarGateway
import Synchronization

/// `pillar simulate`: an OpenAI-compatible upstream (chat completions whole or streamed, embeddings, models)
/// with set latency and injected faults, for tests, load tests and chaos tests that cost no tokens.
public func buildSimulatorApplication(
    host: String, port: Int, behaviour: SimulatorBehaviour, apiKey: String? = nil, embeddingDimensions: Int = 384,
    embeddings: SimulatedEmbeddings = .hashedWords, logger: Logger
) -> some ApplicationProtocol {
    let router = Router()
    router.add(middleware: ErrorMiddleware())
    let simulator = Simulator(
        behaviour: behaviour, apiKey: apiKey, embeddingDimensions: embeddingDimensions,
        topicVectors: embeddings == .topics ? TopicVectors(dimensions: embeddingDimensions) : nil)
    router.get("health") { _, _ in try JSONResponse.make(["status": "ok"]) }
    router.get("v1/models", use: simulator.models)
    router.post("v1/chat/completions", use: simulator.chat)
    router.post("v1/embeddings", use: simulator.embeddings)
    router.post("openai/deployments/{deployment}/chat/completions", use: simulator.chat)
    router.post("openai/deployments/{deployment}/embeddings", use: simulator.embeddings)
    router.post("contentsafety/text:analyze", use: SimulatedModeration.azure)
    router.post("v1/moderations", use: SimulatedModeration.openAI)
    return Application(
        router: router, configuration: .init(address: .hostname(host, port: port), serverName: "pillar-simulator"),
        logger: logger)
}

/// Numbers the simulator's chat requests, so that a fault rate hits an exact share of them.
final class RequestCounter: Sendable {
    private let count = Mutex(0)
    func next() -> Int {
        count.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}

struct Simulator: Sendable {
    let behaviour: SimulatorBehaviour
    let counter = RequestCounter()
    let apiKey: String?
    let embeddingDimensions: Int
    /// Set when embeddings are `.topics`; nil: hashed words.
    let topicVectors: TopicVectors?
    let bodyReader = RequestBodyReader(maxBytes: 16 * 1024 * 1024)

    func authorize(_ request: Request) throws {
        guard let apiKey else { return }
        let given = request.headers[.authorization].map { String($0.dropFirst("Bearer ".count)) } ?? request.headers[.apiKey]
        guard given == apiKey else { throw PillarError.unauthenticated("Incorrect API key provided.") }
    }

    @Sendable func models(_ request: Request, context: some RequestContext) async throws -> Response {
        try authorize(request)
        return try JSONResponse.make(
            ModelList(data: [.init(id: "simulated", created: 1_735_689_600, ownedBy: "pillar-simulator")]))
    }

    @Sendable func chat(_ request: Request, context: some RequestContext) async throws -> Response {
        try authorize(request)
        let body = try await bodyReader.decode(ChatCompletionRequest.self, from: request)
        try body.validate()
        var requested = try self.behaviour.overridden { request.headers[HTTPField.Name($0)!] }
        if !requested.faultHits(requestIndex: counter.next()) { requested.fault = nil }
        let behaviour = requested
        switch behaviour.fault {
        case .status(let status, let retryAfter):
            // As llama.cpp and OpenAI answer: an error object with a message, a type and the status as its code.
            let body: [String: JSONValue] = [
                "error": .object([
                    "code": .number(Double(status)), "message": .string("Simulated failure with status \(status)."),
                    "type": .string(behaviour.errorType ?? "server_error"),
                ])
            ]
            var headers: HTTPFields = [.contentType: "application/json"]
            if let retryAfter { headers[.retryAfter] = String(retryAfter) }
            return Response(
                status: .init(code: status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(body))))
        case .stall(let duration):
            try await Task.sleep(for: duration)
        case .reset:
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody { _ in
                    throw SimulatedReset()
                })
        default:
            break
        }
        let tokens = behaviour.replyTokens(for: body)
        let id = "chatcmpl-sim-\(UUID().uuidString.prefix(8).lowercased())"
        let created = Int(Date().timeIntervalSince1970)
        let usage = Usage(promptTokens: TokenEstimate.promptTokens(body), completionTokens: tokens.count)
        let toolCall = behaviour.toolCallDeltas > 0 ? SimulatedToolCall(pieces: behaviour.toolCallDeltas) : nil
        guard body.isStreaming else {
            try await Task.sleep(
                for: behaviour.timeToFirstToken + behaviour.interTokenDelay * (toolCall?.pieces.count ?? tokens.count))
            let message = toolCall?.message ?? ChatMessage(role: "assistant", content: tokens.joined())
            let completion = ChatCompletion(
                id: id, created: created, model: body.model,
                choices: [.init(index: 0, message: message, finishReason: toolCall == nil ? "stop" : "tool_calls")],
                usage: usage)
            if case .stallAfterHead(let duration) = behaviour.fault {
                let bytes = try JSONEncoder().encode(completion)
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(bytes: bytes.prefix(10)))
                        try await Task.sleep(for: duration)
                        try await writer.write(ByteBuffer(bytes: bytes.dropFirst(10)))
                        try await writer.finish(nil)
                    })
            }
            return try JSONResponse.make(completion)
        }
        let includeUsage = body.streamOptions?.includeUsage ?? false
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                let encoder = JSONEncoder()
                func chunk(_ delta: ChatCompletionChunk.Delta, finish: String? = nil) throws -> ByteBuffer {
                    ServerSentEvent.data(
                        try encoder.encode(
                            ChatCompletionChunk(
                                id: id, created: created, model: body.model,
                                choices: [.init(index: 0, delta: delta, finishReason: finish)])))
                }
                try await Task.sleep(for: behaviour.timeToFirstToken)
                try await writer.write(try chunk(.init(role: "assistant", content: "")))
                if case .stallAfterHead(let duration) = behaviour.fault { try await Task.sleep(for: duration) }
                if let toolCall {
                    for (index, piece) in toolCall.pieces.enumerated() {
                        if index > 0 { try await Task.sleep(for: behaviour.interTokenDelay) }
                        try await writer.write(try chunk(.init(extra: ["tool_calls": piece])))
                    }
                    try await writer.write(try chunk(.init(), finish: "tool_calls"))
                    try await writer.write(ServerSentEvent.done)
                    try await writer.finish(nil)
                    return
                }
                for (index, token) in tokens.enumerated() {
                    if case .cutAfter(let limit) = behaviour.fault, index >= limit { throw SimulatedReset() }
                    if case .malformedAfter(let limit) = behaviour.fault, index >= limit {
                        try await writer.write(ByteBuffer(string: "data: {\"choices\": [not json\n\n"))
                        try await writer.finish(nil)
                        return
                    }
                    if case .streamErrorAfter(let limit) = behaviour.fault, index >= limit {
                        try await writer.write(
                            ByteBuffer(
                                string:
                                    "error: {\"code\":500,\"message\":\"Simulated failure inside the stream.\",\"type\":\"server_error\"}\n\n"
                            ))
                        try await writer.write(ServerSentEvent.done)
                        try await writer.finish(nil)
                        return
                    }
                    if index > 0 { try await Task.sleep(for: behaviour.interTokenDelay) }
                    try await writer.write(try chunk(.init(content: token)))
                }
                if behaviour.fault != .endWithoutFinish { try await writer.write(try chunk(.init(), finish: "stop")) }
                if includeUsage {
                    try await writer.write(
                        ServerSentEvent.data(
                            try encoder.encode(
                                ChatCompletionChunk(id: id, created: created, model: body.model, choices: [], usage: usage))))
                }
                try await writer.write(ServerSentEvent.done)
                try await writer.finish(nil)
            })
    }

    /// Deterministic unit vectors: the same text always embeds the same way, and texts that share words
    /// point the same way (hashed bag of words), so retrieval tests see meaningful neighbours.
    @Sendable func embeddings(_ request: Request, context: some RequestContext) async throws -> Response {
        try authorize(request)
        let body = try await bodyReader.decode(EmbeddingsRequest.self, from: request)
        try body.validate()
        let behaviour = try self.behaviour.overridden { request.headers[HTTPField.Name($0)!] }
        if case .status(let status, let retryAfter) = behaviour.fault {
            var response = try PillarHTTPError(
                PillarError(
                    .upstreamFailed, code: "simulated_error", message: "Simulated failure.",
                    retryAfterSeconds: retryAfter)
            ).response(from: request, context: context)
            response.status = .init(code: status)
            return response
        }
        let items = body.input.enumerated().map { index, text in
            EmbeddingsResponse.Item(
                index: index,
                embedding: topicVectors?.vector(for: text)
                    ?? Self.vector(for: text, dimensions: embeddingDimensions))
        }
        let tokens = body.input.reduce(0) { $0 + TokenEstimate.tokens(in: $1) }
        return try JSONResponse.make(EmbeddingsResponse(data: items, model: body.model, usage: .init(promptTokens: tokens)))
    }

    /// Feature hashing: each lower-cased word adds ±1 to a slot picked by its hash.
    static func vector(for text: String, dimensions: Int) -> [Float] {
        var values = [Float](repeating: 0, count: dimensions)
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }
        for word in words {
            let digest = Array(SHA256.hash(data: Data(word.utf8)))
            let slot = (Int(digest[0]) << 16 | Int(digest[1]) << 8 | Int(digest[2])) % dimensions
            values[slot] += digest[3] & 1 == 0 ? 1 : -1
        }
        if words.isEmpty { values[0] = 1 }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? values.map { $0 / norm } : values.enumerated().map { $0.offset == 0 ? 1 : 0 }
    }
}

struct SimulatedReset: Error {}
