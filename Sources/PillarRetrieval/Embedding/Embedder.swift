import PillarCore
import PillarGateway

/// Turns texts into L2-normalised vectors, one per text, in order.
public protocol Embedder: Sendable {
    /// The model name the vectors come from (stored with each document: vectors of two models never mix).
    var model: String { get }
    func embed(_ texts: [String], caller: ModelGateway.Caller) async throws -> [[Float]]
}

/// Embeddings through the model gateway, so they get its balancing, retries and breakers whether the model
/// is Azure OpenAI, OpenAI, any OpenAI-compatible server, or the embedded all-MiniLM-L6-v2 under llama.cpp.
/// Texts go in batches; every call is reported to `record` for metering.
public struct GatewayEmbedder: Embedder {
    public let model: String
    let gateway: ModelGateway
    let batchSize: Int
    let preparation: EmbeddingInputPreparation
    let record: @Sendable (ModelGateway.Caller, ModelGateway.Outcome) async -> Void

    public init(
        gateway: ModelGateway, model: String, batchSize: Int = 32, preparation: EmbeddingInputPreparation = .unchanged,
        record: @escaping @Sendable (ModelGateway.Caller, ModelGateway.Outcome) async -> Void = { _, _ in }
    ) {
        self.gateway = gateway
        self.model = model
        self.batchSize = max(1, batchSize)
        self.preparation = preparation
        self.record = record
    }

    public func embed(_ texts: [String], caller: ModelGateway.Caller) async throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        for start in stride(from: 0, to: texts.count, by: batchSize) {
            try Task.checkCancellation()
            // A text that folds to nothing (only marks or controls) still needs a vector: embed a space.
            let batch = texts[start..<min(start + batchSize, texts.count)].map { text in
                let prepared = preparation.prepare(text)
                return prepared.isEmpty ? " " : prepared
            }
            let response = try await gateway.embed(EmbeddingsRequest(model: model, input: batch), caller: caller) { outcome in
                await record(caller, outcome)
            }
            for item in response.data {
                guard let vector = VectorMath.normalised(item.embedding) else {
                    throw PillarError.upstream(
                        "The embedding model returned a zero or non-finite vector.",
                        code: "invalid_embedding")
                }
                vectors.append(vector)
            }
        }
        return vectors
    }
}

enum VectorMath {
    /// The unit vector in the same direction; nil for a zero vector or one holding NaN or infinity.
    static func normalised(_ vector: [Float]) -> [Float]? {
        var sum: Float = 0
        for value in vector {
            guard value.isFinite else { return nil }
            sum += value * value
        }
        guard sum > 0, sum.isFinite else { return nil }
        let scale = 1 / sum.squareRoot()
        return vector.map { $0 * scale }
    }
}
