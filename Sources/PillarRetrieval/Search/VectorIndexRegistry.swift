import Foundation
import Logging
import PillarCore
import Synchronization

/// The in-process vector indexes, one per tenant (a tenant's search never walks another tenant's graph),
/// each saved under `directory` so a restart reloads it instead of rebuilding it.
public final class VectorIndexRegistry: Sendable {
    public struct Options: Sendable {
        public var parameters: HNSWParameters
        /// Below this many readable vectors, search compares against each of them exactly.
        public var exactSearchBelow: Int
        /// Where graphs are saved; nil keeps them in memory only.
        public var directory: URL?

        public init(parameters: HNSWParameters = .init(), exactSearchBelow: Int = 2_000, directory: URL? = nil) {
            self.parameters = parameters
            self.exactSearchBelow = exactSearchBelow
            self.directory = directory
        }
    }

    let repository: any DocumentRepository
    let options: Options
    let logger: Logger
    private let tenants = Mutex<[String: TenantVectorIndex]>([:])

    public init(repository: any DocumentRepository, options: Options = .init(), logger: Logger) {
        self.repository = repository
        self.options = options
        self.logger = logger
    }

    func entry(for tenant: String) -> TenantVectorIndex {
        tenants.withLock { entries in
            if let entry = entries[tenant] { return entry }
            let entry = TenantVectorIndex(
                tenant: tenant, file: options.directory?.appendingPathComponent("\(tenant).hnsw"),
                parameters: options.parameters, logger: logger)
            entries[tenant] = entry
            return entry
        }
    }

    /// The `k` chunks nearest to `vector` among those `scope` may read. The ACL test runs inside the graph
    /// walk (or the exact scan), so chunks the caller may not read never take a place in the ranking.
    public func search(_ vector: [Float], scope: AccessScope, k: Int) async throws -> [RankedChunk] {
        let (graph, access) = try await entry(for: scope.tenant).current(repository)
        guard let graph, k > 0 else { return [] }
        guard vector.count == graph.dimensions else {
            throw PillarError(
                .internalError, code: "embedding_dimensions_mismatch",
                message:
                    "The query embedding has \(vector.count) dimensions but the index holds \(graph.dimensions): the embedding model changed since ingestion."
            )
        }
        let readable = access.readable(by: scope)
        guard readable.count > 0 else { return [] }
        let matches: [VectorMatch]
        if graph.count <= options.exactSearchBelow {
            matches = graph.exactSearch(vector, k: k, filter: readable.contains)
        } else if readable.count <= options.exactSearchBelow {
            matches = graph.exactSearch(vector, k: k, among: readable.chunks)
        } else {
            // A filter that passes few nodes starves the beam: widen it in proportion, within reason.
            let share = Double(readable.count) / Double(max(graph.count, 1))
            let base = max(options.parameters.efSearch, k)
            let ef = min(Int((Double(base) / share).rounded(.up)), max(base, 1_000))
            matches = graph.search(vector, k: k, efSearch: ef, filter: readable.contains)
        }
        return matches.map { RankedChunk(id: $0.id, score: Double($0.score)) }
    }

    /// Brings a tenant's graph up to date with the store and saves it.
    public func persist(tenant: String) async throws {
        try await entry(for: tenant).persist(repository)
    }

    /// Saves every graph that moved since it was last saved.
    public func persistAll() async {
        let entries = tenants.withLock { Array($0.values) }
        for entry in entries {
            do {
                try await entry.persist(repository)
            } catch {
                logger.error("vector index could not be saved", metadata: ["tenant": "\(entry.tenant)", "error": "\(error)"])
            }
        }
    }

    /// Rebuilds the graphs that hold many removed chunks (see `TenantVectorIndex.compactIfNeeded`).
    public func compactAll() async {
        let entries = tenants.withLock { Array($0.values) }
        for entry in entries {
            do {
                try await entry.compactIfNeeded(repository)
            } catch {
                logger.error("vector index could not be compacted", metadata: ["tenant": "\(entry.tenant)", "error": "\(error)"])
            }
        }
    }

    /// Loads (or builds) a tenant's graph now rather than on its first search.
    public func warmUp(tenant: String) async throws {
        _ = try await entry(for: tenant).current(repository)
    }
}
