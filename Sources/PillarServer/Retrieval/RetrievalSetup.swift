import Foundation
import Logging
import PillarCore
import PillarGateway
import PillarRetrieval
import PillarStore
import ServiceLifecycle

/// The grounding-data parts built from configuration, shared by `pillar serve` and `pillar ingest`.
public struct RetrievalSetup: Sendable {
    public let repository: any DocumentRepository
    public let vectors: VectorIndexRegistry
    public let embedder: any Embedder
    public let ingestor: Ingestor
    public let retriever: Retriever
    public let folderSync: FolderSync

    public init(
        configuration: PillarConfiguration, database: PillarDatabase, gateway: ModelGateway,
        turns: any TurnRepository, fault: Retriever.InjectedFault? = nil, logger: Logger
    ) throws {
        let settings = configuration.retrieval
        let repository = SQLiteDocumentRepository(database: database)
        let prices = configuration.prices
        let model = settings.embeddingModel
        let embedder = GatewayEmbedder(
            gateway: gateway, model: model, batchSize: settings.embeddingBatchSize,
            preparation: configuration.runsLocalEmbedder ? .localWordPiece : .unchanged
        ) { caller, outcome in
            // Embedding calls made for ingestion and search are metered like any other model call; the isolation
            // probe's to its own tenant, whichever tenant it searched as.
            let tenant = caller.subject == ProbeTenant.subject ? ProbeTenant.id : caller.tenant
            let principal = Principal(tenant: tenant, subject: caller.subject, roles: [], method: .apiKey)
            await TurnRecorder(
                turns: turns, principal: principal, model: model, streamed: false, price: prices[model],
                traceID: TraceContext.currentTraceID(), settlement: Settlement(admission: nil, reservation: nil),
                logger: logger
            ).record(outcome)
        }
        let directory = URL(fileURLWithPath: configuration.server.dataDirectory).appendingPathComponent("vector-index")
        let vectors = VectorIndexRegistry(
            repository: repository,
            options: .init(
                parameters: HNSWParameters(
                    m: settings.hnswM, efConstruction: settings.hnswEfConstruction,
                    efSearch: settings.hnswEfSearch),
                exactSearchBelow: settings.exactSearchBelow, directory: directory),
            logger: logger)
        let chunker = Chunker(
            options: ChunkingOptions(maxTokens: settings.chunkMaxTokens, overlapTokens: settings.chunkOverlapTokens))
        let redaction = StorageRedaction(safety: configuration.safety, cipher: database.cipher)
        let ingestor = Ingestor(
            repository: repository, chunker: chunker, embedder: embedder, logger: logger,
            textRedaction: { text, tenant in redaction.documentReplacements(text, tenant: tenant) })
        self.repository = repository
        self.vectors = vectors
        self.embedder = embedder
        self.ingestor = ingestor
        self.retriever = Retriever(
            repository: repository, vectors: vectors, embedder: embedder,
            options: .init(
                candidates: settings.candidates, fusionK: settings.fusionK,
                keywordWeight: settings.keywordWeight, vectorWeight: settings.vectorWeight),
            fault: fault)
        self.folderSync = FolderSync(ingestor: ingestor, repository: repository)
    }
}

/// Loads every tenant's vector index at start (so the first search does not pay for it); every `interval`,
/// rebuilds those holding many removed chunks and saves those that moved; saves once more at shutdown.
struct VectorIndexService: Service {
    let vectors: VectorIndexRegistry
    let tenants: any TenantRepository
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            do {
                for tenant in try await tenants.listTenants() {
                    try await vectors.warmUp(tenant: tenant.id)
                }
            } catch {
                logger.error("vector indexes could not be loaded at start", metadata: ["error": "\(error)"])
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                await vectors.compactAll()
                await vectors.persistAll()
            }
        }
        await vectors.persistAll()
    }
}
