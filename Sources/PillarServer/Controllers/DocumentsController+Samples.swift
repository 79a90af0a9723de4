import Foundation
import Hummingbird
import PillarCore
import PillarGateway
import PillarRetrieval

/// The sample documents the chat page offers a tenant that has none: Pillar's own documentation, which `make`
/// copies into `retrieval.samplesDirectory`, so that a grounded answer with citations is one click away.
extension DocumentsController {
    /// Markdown files the samples may hold, and how large each may be: the directory is the operator's, but a
    /// bound keeps a mistaken one (a home directory) from being read whole.
    static let maxSampleFiles = 100
    static let maxSampleBytes = 1024 * 1024

    struct SampleAvailability: Encodable {
        var available: Bool
        var documents: Int
    }

    struct SamplesLoaded: Encodable {
        var documents: Int
        var created: Int
        var updated: Int
        var unchanged: Int
        var chunks: Int
    }

    func addSampleRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("documents/samples", use: samples)
        group.post("documents/samples", use: loadSamples)
    }

    /// The sample files, in a stable order; none when the directory is missing.
    func sampleFiles() -> [URL] {
        guard let directory = samplesDirectory,
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return [] }
        let files = names.sorted().filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.map {
            URL(fileURLWithPath: directory).appendingPathComponent($0)
        }
        return Array(
            files.filter {
                let values = try? $0.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
                return values?.isRegularFile == true && (values?.fileSize ?? .max) <= Self.maxSampleBytes
            }
            .prefix(Self.maxSampleFiles))
    }

    /// `GET /v1/documents/samples`: whether there are samples to offer.
    @Sendable func samples(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try requireAdmin(context)
        let files = sampleFiles()
        return try JSONResponse.make(SampleAvailability(available: !files.isEmpty, documents: files.count))
    }

    /// `POST /v1/documents/samples`: ingests the samples into the caller's tenant, readable by all of it. Loading
    /// them again changes only what changed in the files.
    @Sendable func loadSamples(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try requireAdmin(context)
        let files = sampleFiles()
        guard !files.isEmpty else {
            throw PillarError(
                .notFound, code: "samples_unavailable",
                message: "This server has no sample documents (`make setup` puts Pillar's documentation in "
                    + "retrieval.samplesDirectory).")
        }
        let principal = context.principal
        let caller = ModelGateway.Caller(tenant: principal.tenant, subject: principal.subject)
        var loaded = SamplesLoaded(documents: files.count, created: 0, updated: 0, unchanged: 0, chunks: 0)
        for file in files {
            try Task.checkCancellation()
            // Not the file's path: citations show the source, and where the server keeps files is its own.
            let source = Ingestor.Source(
                sourceURI: "sample:pillar-docs/\(file.lastPathComponent)", format: .markdown,
                data: try Data(contentsOf: file))
            let outcome = try await ingestor.ingest(source, tenant: principal.tenant, caller: caller)
            switch outcome.change {
            case .created: loaded.created += 1
            case .updated, .metadataUpdated: loaded.updated += 1
            case .unchanged: loaded.unchanged += 1
            }
            if outcome.change != .unchanged { loaded.chunks += outcome.document.chunkCount }
        }
        try await audit.append(
            tenant: principal.tenant, actor: principal.subject, action: "document.samples", target: "pillar-docs",
            details: ["created": String(loaded.created), "updated": String(loaded.updated)])
        return try JSONResponse.make(loaded)
    }
}
