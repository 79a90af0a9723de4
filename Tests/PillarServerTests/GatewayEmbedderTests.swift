import Foundation
import Logging
import PillarCore
import PillarGateway
import Synchronization
import Testing

@testable import PillarRetrieval

/// The embedder ingestion uses: batches through the gateway to the project's simulator over HTTP, every call
/// metered, vectors of unit length and in the order of the texts.
@Suite struct GatewayEmbedderTests {
    @Test func textsGoInBatchesAndComeBackNormalisedInOrder() async throws {
        try await withSimulator { port in
            let deployment = ModelDeployment(
                name: "sim", api: .openAI, baseURL: "http://127.0.0.1:\(port)/v1",
                upstreamModel: "simulated", servedModels: ["embed"])
            let gateway = ModelGateway(
                providers: [
                    OpenAICompatibleProvider(
                        deployment: deployment, httpClient: .shared,
                        logger: Logger(label: "test"))
                ],
                logger: Logger(label: "test"))
            let calls = Mutex<[Int]>([])
            let embedder = GatewayEmbedder(gateway: gateway, model: "embed", batchSize: 32) { _, outcome in
                calls.withLock { $0.append(outcome.usage?.promptTokens ?? -1) }
            }
            let texts = (0..<70).map { "passage \($0) about topic \($0 % 7)" }
            let vectors = try await embedder.embed(texts, caller: .init(tenant: "t", subject: "s"))
            #expect(calls.withLock { $0.count } == 3, "70 texts in batches of 32: 32, 32 and 6")
            #expect(calls.withLock { $0.allSatisfy { $0 > 0 } }, "each call is metered")
            #expect(vectors.count == 70)
            for vector in vectors {
                let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
                #expect(abs(norm - 1) < 1e-5)
            }
            // In order: each text's vector is the one it gets alone.
            let alone = try await embedder.embed([texts[40]], caller: .init(tenant: "t", subject: "s"))
            #expect(alone[0] == vectors[40])
        }
    }

    @Test func vectorsAreScaledToUnitLengthAndBrokenOnesRefused() {
        let scaled = VectorMath.normalised([3, 4])
        #expect(scaled == [0.6, 0.8])
        #expect(VectorMath.normalised([0, 0]) == nil)
        #expect(VectorMath.normalised([1, .nan]) == nil)
        #expect(VectorMath.normalised([.infinity, 1]) == nil)
    }
}
