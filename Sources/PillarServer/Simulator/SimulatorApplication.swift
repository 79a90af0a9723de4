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
    logger: Logger
) -> some ApplicationProtocol {
    let router = Router()
    router.add(middleware: ErrorMiddleware())
    let simulator = Simulator(behaviour: behaviour, apiKey: apiKey, embeddingDimensions: embeddingDimensions)
    router.get("health") { _, _ in try JSONResponse.make(["status": "ok"]) }
    router.get("v1/models", use: simulator.models)
    router.post("v1/chat/completions", use: simulator.chat)
    router.post("v1/embeddings", use: simulator.embeddings)
    router.post("openai/deployments/{deployment}/chat/completions", use: simulator.chat)
    return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "pillar-simulator"),
                       logger: logger)
}

/// Numbers the simulator's chat requests, so that a fault rate hits an exact share of them.
final class RequestCounter: Sendable {
    private let count = Mutex(0)
    func next() -> Int { count.withLock { value in defer { value += 1 }; return value } }
}

struct Simulator: Sendable {
    let behaviour: SimulatorBehaviour
    let counter = RequestCounter()
    let apiKey: String?
    let embeddingDimensions: Int
    let bodyReader = RequestBodyReader(maxBytes: 16 * 1024 * 1024)

    func authorize(_ request: Request) throws {
        guard let apiKey else { return }
        let given = request.headers[.authorization].map { String($0.dropFirst("Bearer ".count)) } ?? request.headers[.apiKey]
        guard given == apiKey else { throw PillarError.unauthenticated("Incorrect API key provided.") }
    }

    @Sendable func models(_ request: Request, context: some RequestContext) async throws -> Response {
        try authorize(request)
        return try JSONResponse.make(ModelList(data: [.init(id: "simulated", created: 1_735_689_600, ownedBy: "pillar-simulator")]))
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
            var error = PillarError(.upstreamFailed, code: "simulated_error", message: "Simulated failure with status \(status).")
            error.retryAfterSeconds = retryAfter
            var response = try PillarHTTPError(error).response(from: request, context: context)
            response.status = .init(code: status)
            return response
        case .stall(let duration):
            try await Task.sleep(for: duration)
        case .reset:
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { _ in
                throw SimulatedReset()
            })
        default:
            break
        }
        let tokens = behaviour.replyTokens(for: body)
        let id = "chatcmpl-sim-\(UUID().uuidString.prefix(8).lowercased())"
        let created = Int(Date().timeIntervalSince1970)
        let usage = Usage(promptTokens: TokenEstimate.promptTokens(body), completionTokens: tokens.count)
        guard body.isStreaming else {
            try await Task.sleep(for: behaviour.timeToFirstToken + behaviour.interTokenDelay * tokens.count)
            let completion = ChatCompletion(
                id: id, created: created, model: body.model,
                choices: [.init(index: 0, message: ChatMessage(role: "assistant", content: tokens.joined()),
                                finishReason: "stop")],
                usage: usage)
            return try JSONResponse.make(completion)
        }
        let includeUsage = body.streamOptions?.includeUsage ?? false
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: ResponseBody { writer in
            let encoder = JSONEncoder()
            func chunk(_ delta: ChatCompletionChunk.Delta, finish: String? = nil) throws -> ByteBuffer {
                ServerSentEvent.data(try encoder.encode(ChatCompletionChunk(
                    id: id, created: created, model: body.model,
                    choices: [.init(index: 0, delta: delta, finishReason: finish)])))
            }
            try await Task.sleep(for: behaviour.timeToFirstToken)
            try await writer.write(try chunk(.init(role: "assistant", content: "")))
            for (index, token) in tokens.enumerated() {
                if case .cutAfter(let limit) = behaviour.fault, index >= limit { throw SimulatedReset() }
                if case .malformedAfter(let limit) = behaviour.fault, index >= limit {
                    try await writer.write(ByteBuffer(string: "data: {\"choices\": [not json\n\n"))
                    try await writer.finish(nil)
                    return
                }
                if index > 0 { try await Task.sleep(for: behaviour.interTokenDelay) }
                try await writer.write(try chunk(.init(content: token)))
            }
            try await writer.write(try chunk(.init(), finish: "stop"))
            if includeUsage {
                try await writer.write(ServerSentEvent.data(try encoder.encode(
                    ChatCompletionChunk(id: id, created: created, model: body.model, choices: [], usage: usage))))
            }
            try await writer.write(ServerSentEvent.done)
            try await writer.finish(nil)
        })
    }

    struct EmbeddingsRequest: Decodable {
        enum Input: Decodable {
            case one(String)
            case many([String])
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) { self = .one(text) } else { self = .many(try container.decode([String].self)) }
            }
            var texts: [String] {
                switch self {
                case .one(let text): return [text]
                case .many(let texts): return texts
                }
            }
        }
        var model: String
        var input: Input
    }

    struct EmbeddingsResponse: Encodable {
        struct Item: Encodable {
            var object = "embedding"
            var index: Int
            var embedding: [Float]
        }
        var object = "list"
        var data: [Item]
        var model: String
        var usage: [String: Int]
    }

    /// Deterministic unit vectors derived from the text's hash: the same text always embeds the same way.
    @Sendable func embeddings(_ request: Request, context: some RequestContext) async throws -> Response {
        try authorize(request)
        let body = try await bodyReader.decode(EmbeddingsRequest.self, from: request)
        let behaviour = try self.behaviour.overridden { request.headers[HTTPField.Name($0)!] }
        if case .status(let status, let retryAfter) = behaviour.fault {
            var response = try PillarHTTPError(PillarError(.upstreamFailed, code: "simulated_error", message: "Simulated failure.",
                                                           retryAfterSeconds: retryAfter)).response(from: request, context: context)
            response.status = .init(code: status)
            return response
        }
        let texts = body.input.texts
        let items = texts.enumerated().map { index, text in
            EmbeddingsResponse.Item(index: index, embedding: Self.vector(for: text, dimensions: embeddingDimensions))
        }
        let tokens = texts.reduce(0) { $0 + TokenEstimate.tokens(in: $1) }
        return try JSONResponse.make(EmbeddingsResponse(data: items, model: body.model,
                                                        usage: ["prompt_tokens": tokens, "total_tokens": tokens]))
    }

    static func vector(for text: String, dimensions: Int) -> [Float] {
        var values: [Float] = []
        var counter: UInt32 = 0
        while values.count < dimensions {
            var data = Data(text.utf8)
            withUnsafeBytes(of: counter.bigEndian) { data.append(contentsOf: $0) }
            for byte in SHA256.hash(data: data) where values.count < dimensions {
                values.append(Float(byte) / 127.5 - 1)
            }
            counter += 1
        }
        let norm = max(values.reduce(0) { $0 + $1 * $1 }.squareRoot(), .leastNonzeroMagnitude)
        return values.map { $0 / norm }
    }
}

struct SimulatedReset: Error {}
