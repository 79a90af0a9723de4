import Foundation
import Logging
import PillarCore

/// One tenant's vector index: the HNSW graph, the ACL of every chunk in it, and how far both have read the
/// tenant's change log. The graph is a cache of what the store holds: it is rebuilt, or reloaded from its
/// file and brought up to date, from the log alone, so any process (another replica, `pillar ingest`) may
/// write documents and every process's searches see them.
actor TenantVectorIndex {
    let tenant: String
    let file: URL?
    let parameters: HNSWParameters
    let logger: Logger
    private var index: HNSWIndex?
    private var access = AccessMap()
    private var applied: Int64 = 0
    private var persisted: Int64 = 0
    private var loaded = false
    private var catchingUp: Task<Void, any Error>?
    /// How the first catch-up went, for tests of restarts: nil until it has run.
    private(set) var startup: Startup?

    /// Whether the graph came from its saved file, and how many log entries were then applied to bring it up
    /// to date: a restart with nothing new in the log reads the file and applies none.
    struct Startup: Equatable {
        var loadedFile: Bool
        var replayed: Int
    }

    /// Changes read from the store per round trip while catching up.
    static let pageSize = 2_000

    init(tenant: String, file: URL?, parameters: HNSWParameters, logger: Logger) {
        self.tenant = tenant
        self.file = file
        self.parameters = parameters
        self.logger = logger
    }

    /// The graph and ACL map as of now: everything committed before this call is in them.
    func current(_ repository: any DocumentRepository) async throws -> (HNSWIndex?, AccessMap) {
        // One catch-up at a time (the log must be applied in order); a caller that finds one running waits for
        // it and then runs its own, so it never misses what was committed before it asked. The task clears
        // `catchingUp` itself, on the actor, before its value is ready: a waiter that wakes up never finds the
        // finished task still installed (awaiting a finished task need not suspend, so it would spin on the
        // actor and starve whoever was to clear it).
        while let running = catchingUp { _ = try? await running.value }
        let task = Task {
            defer { self.catchingUp = nil }
            try await self.applyPendingChanges(repository)
        }
        catchingUp = task
        try await task.value
        return (index, access)
    }

    private func applyPendingChanges(_ repository: any DocumentRepository) async throws {
        let loadedFile = loaded ? nil : try await load(repository)
        loaded = true
        let latest = try await repository.latestVectorChange(tenant: tenant)
        if latest < applied {
            // The store is older than the index (restored from a backup, or replaced): start again.
            logger.warning("vector index is ahead of its store; rebuilding", metadata: ["tenant": "\(tenant)"])
            index = nil
            access = AccessMap()
            applied = 0
        }
        // Local copies: actor state cannot be lent across a suspension. The graph is a class, so searches see
        // its additions as they land; the ACL map is swapped in at the end, and until then denies newcomers.
        var graph = index
        var map = access
        let replay = try await Self.replay(
            tenant: tenant, repository: repository, parameters: parameters,
            from: applied, to: latest, index: &graph, access: &map)
        applied = replay.position
        index = graph
        access = map
        if let loadedFile { startup = Startup(loadedFile: loadedFile, replayed: replay.count) }
    }

    /// Applies the log's entries after `start`, up to `end`, to a graph and ACL map; returns where it stopped
    /// and how many entries it applied.
    private static func replay(
        tenant: String, repository: any DocumentRepository, parameters: HNSWParameters,
        from start: Int64, to end: Int64, index: inout HNSWIndex?, access: inout AccessMap
    )
        async throws -> (position: Int64, count: Int)
    {
        var position = start
        var count = 0
        while position < end {
            let changes = try await repository.vectorChanges(tenant: tenant, after: position, limit: pageSize)
            guard let last = changes.last else { break }
            try apply(changes, parameters: parameters, to: &index, access: &access)
            position = last.sequence
            count += changes.count
        }
        return (position, count)
    }

    /// Applies one page of the log in order. Consecutive removals reach the graph as one batch: removing
    /// reads every link list of the graph once per call, and a deleted document's chunks are logged together.
    private static func apply(
        _ changes: [VectorChange], parameters: HNSWParameters, to index: inout HNSWIndex?,
        access: inout AccessMap
    ) throws {
        var removals: [Int64] = []
        func removePending() {
            guard !removals.isEmpty else { return }
            index?.remove(ids: removals)
            removals.removeAll(keepingCapacity: true)
        }
        for change in changes {
            switch change.operation {
            case .add:
                removePending()
                // An addition whose chunk is gone since carries no vector; its removal comes later in the log.
                guard let vector = change.embedding else { continue }
                if index == nil { index = HNSWIndex(dimensions: vector.count, parameters: parameters) }
                guard let index, vector.count == index.dimensions else {
                    throw PillarError(
                        .internalError, code: "embedding_dimensions_mismatch",
                        message:
                            "Stored vectors of different lengths: re-ingest the tenant's documents after changing the embedding model."
                    )
                }
                try index.insert(id: change.chunkID, vector: vector)
                access.set(change.chunkID, aclGroups: change.aclGroups)
            case .remove:
                removals.append(change.chunkID)
                access.remove(change.chunkID)
            }
        }
        removePending()
    }

    /// A removed chunk's node is erased at once, but its row stays, vacant, until an insert reuses it. Once
    /// vacant rows are more than a fifth of the graph, it is rebuilt from the store's live vectors, beside the
    /// one in use so searches go on, and swapped in, so that the memory and the file shrink back.
    func compactIfNeeded(_ repository: any DocumentRepository) async throws {
        guard let current = index else { return }
        let removed = current.storedNodeCount - current.count
        guard removed > 0, removed * 5 > current.storedNodeCount else { return }
        let latest = try await repository.latestVectorChange(tenant: tenant)
        var fresh: HNSWIndex?
        var freshAccess = AccessMap()
        let (builtTo, _) = try await Self.replay(
            tenant: tenant, repository: repository, parameters: parameters,
            from: 0, to: latest, index: &fresh, access: &freshAccess)
        // Swap in as a catch-up of its own, so no other catch-up runs in between.
        let (built, builtAccess) = (fresh, freshAccess)
        while let running = catchingUp { _ = try? await running.value }
        let task = Task {
            defer { self.catchingUp = nil }
            var graph = built
            var map = builtAccess
            let end = try await repository.latestVectorChange(tenant: self.tenant)
            let (position, _) = try await Self.replay(
                tenant: self.tenant, repository: repository, parameters: self.parameters,
                from: builtTo, to: end, index: &graph, access: &map)
            self.index = graph
            self.access = map
            self.applied = position
            self.persisted = -1
        }
        catchingUp = task
        try await task.value
        logger.info("vector index compacted", metadata: ["tenant": "\(tenant)", "removed": "\(removed)"])
    }

    /// Reads the saved graph, if any, and the ACL of every live chunk; the log replay then adds what came after.
    /// Returns whether the file was used; when it was not, the replay rebuilds the graph from the whole log.
    private func load(_ repository: any DocumentRepository) async throws -> Bool {
        guard let file, FileManager.default.fileExists(atPath: file.path) else { return false }
        do {
            let (saved, watermark) = try HNSWIndex.read(from: file)
            let view = try await repository.chunkAccess(tenant: tenant)
            guard watermark <= view.sequence else {
                logger.warning("saved vector index is ahead of its store; rebuilding", metadata: ["tenant": "\(tenant)"])
                return false
            }
            // M and efConstruction shape the graph itself; efSearch is only a query default, set below.
            let configured = parameters.normalised
            guard saved.parameters.m == configured.m, saved.parameters.efConstruction == configured.efConstruction else {
                logger.notice(
                    "saved vector index was built with other graph parameters; rebuilding",
                    metadata: [
                        "tenant": "\(tenant)",
                        "saved": "m \(saved.parameters.m), efConstruction \(saved.parameters.efConstruction)",
                        "configured": "m \(configured.m), efConstruction \(configured.efConstruction)",
                    ])
                return false
            }
            saved.setEfSearch(parameters.efSearch)
            var access = AccessMap()
            for entry in view.entries { access.set(entry.chunkID, aclGroups: entry.aclGroups) }
            self.index = saved
            self.access = access
            self.applied = watermark
            self.persisted = watermark
            logger.info("vector index loaded", metadata: ["tenant": "\(tenant)", "vectors": "\(saved.count)"])
            return true
        } catch {
            logger.warning(
                "saved vector index unusable; rebuilding from the store",
                metadata: ["tenant": "\(tenant)", "error": "\(error)"])
            return false
        }
    }

    /// Writes the graph when it moved since the last write. Safe with other processes writing the same
    /// file: each write is a whole, consistent graph with its own watermark, renamed into place.
    func persist(_ repository: any DocumentRepository) async throws {
        _ = try await current(repository)
        guard let file, let index, applied != persisted else { return }
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        try index.write(to: file, watermark: applied)
        persisted = applied
    }
}
