import Foundation
import Hummingbird
import PillarCore
import PillarGateway

/// `POST /v1/embeddings`, OpenAI-compatible, through the gateway: budgets and rate limits apply and each
/// call is recorded as a turn. Vectors come back as floats, or as base64 of little-endian float32 when asked
/// (the `openai` Python package asks for base64 by default).
struct EmbeddingsController: Sendable {
    let gateway: ModelGateway
    let admission: AdmissionControl?
    let prices: [String: ModelPrice]
    let turns: any TurnRepository
    let redaction: StorageRedaction
    let bodyReader: RequestBodyReader

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("embeddings", use: create)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await respond(try await bodyReader.decode(EmbeddingsRequest.self, from: request), context: context)
    }

    func respond(_ body: EmbeddingsRequest, context: AuthenticatedContext) async throws -> Response {
        var body = body
        try body.validate()
        body.input = try body.input.enumerated().map { index, text in
            try redaction.prepareForModel(text, tenant: context.principal.tenant, param: "input[\(index)]")
        }
        guard gateway.serves(body.model) else { throw PillarError.modelNotFound(body.model) }
        if body.dimensions != nil {
            throw PillarError.invalidRequest(
                "'dimensions' is not supported: the model's own length is returned",
                param: "dimensions", code: "unsupported_parameter")
        }
        let principal = context.principal
        let estimated = body.input.reduce(0) { $0 + gateway.tokens.tokens(in: $1, model: body.model) }
        let settlement = try await Settlement.reserve(
            admission, for: principal, promptTokens: estimated, maxTokens: 1,
            price: prices[body.model])
        let recorder = TurnRecorder(
            turns: turns, principal: principal, model: body.model, streamed: false,
            price: prices[body.model], traceID: TraceContext.currentTraceID(),
            settlement: settlement, logger: context.logger)
        let response: EmbeddingsResponse
        do {
            response = try await gateway.embed(
                body, caller: .init(tenant: principal.tenant, subject: principal.subject),
                onFinish: recorder.record)
        } catch {
            await settlement.settle(usedTokens: 0)
            throw error
        }
        return try JSONResponse.make(WireResponse(response, base64: body.encodingFormat == .base64))
    }

    /// The response with each vector as floats or as base64, as the caller asked.
    struct WireResponse: Encodable {
        let response: EmbeddingsResponse
        let base64: Bool

        init(_ response: EmbeddingsResponse, base64: Bool) {
            self.response = response
            self.base64 = base64
        }

        enum Keys: String, CodingKey { case object, data, model, usage, index, embedding }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("list", forKey: .object)
            try container.encode(response.model, forKey: .model)
            try container.encodeIfPresent(response.usage, forKey: .usage)
            var items = container.nestedUnkeyedContainer(forKey: .data)
            for item in response.data {
                var entry = items.nestedContainer(keyedBy: Keys.self)
                try entry.encode("embedding", forKey: .object)
                try entry.encode(item.index, forKey: .index)
                if base64 {
                    try entry.encode(VectorBytes.encode(item.embedding).base64EncodedString(), forKey: .embedding)
                } else {
                    try entry.encode(item.embedding, forKey: .embedding)
                }
            }
        }
    }
}
