import Foundation
import PillarCore
import PillarGateway

/// Ingests a file, or a folder recursively, as documents whose source is the file's `file://` URL. Syncing a
/// folder also deletes the documents that came from it but whose files are gone, empty or unreadable, so the
/// index follows the folder.
public struct FolderSync: Sendable {
    public struct Progress: Sendable, Hashable {
        public var filesDone: Int
        public var filesTotal: Int
        public var chunks: Int
        public var currentFile: String
    }

    public struct Report: Sendable, Hashable {
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var metadataUpdated = 0
        public var removed = 0
        public var chunks = 0
        /// Files skipped: unknown formats or documents that could not be read, with why.
        public var skipped: [String: String] = [:]
    }

    /// Files larger than this are skipped rather than read whole into memory.
    public static let maxFileBytes = 256 * 1024 * 1024

    let ingestor: Ingestor
    let repository: any DocumentRepository

    public init(ingestor: Ingestor, repository: any DocumentRepository) {
        self.ingestor = ingestor
        self.repository = repository
    }

    public func sync(
        path: String, tenant: String, aclGroups: [String], caller: ModelGateway.Caller,
        progress: @Sendable (Progress) -> Void = { _ in }
    ) async throws -> Report {
        let root = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw PillarError.invalidRequest("\(path) does not exist", param: "path", code: "not_found")
        }
        let files = isDirectory.boolValue ? try Self.files(under: root) : [root]
        var report = Report()
        var seen = Set<String>()
        for (index, file) in files.enumerated() {
            try Task.checkCancellation()
            progress(Progress(filesDone: index, filesTotal: files.count, chunks: report.chunks, currentFile: file.path))
            guard let format = DocumentFormat.detect(fileName: file.lastPathComponent, contentType: nil) else {
                report.skipped[file.path] = "unsupported format"
                continue
            }
            let source = file.absoluteString
            do {
                let size = (try file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
                guard size <= Self.maxFileBytes else {
                    report.skipped[file.path] = "larger than \(Self.maxFileBytes / 1024 / 1024) MiB"
                    continue
                }
                let outcome = try await ingestor.ingest(
                    .init(sourceURI: source, format: format, data: try Data(contentsOf: file), aclGroups: aclGroups),
                    tenant: tenant, caller: caller)
                switch outcome.change {
                case .created: report.created += 1
                case .updated: report.updated += 1
                case .unchanged: report.unchanged += 1
                case .metadataUpdated: report.metadataUpdated += 1
                }
                report.chunks += outcome.change == .unchanged ? 0 : outcome.document.chunkCount
                // Only a file that was ingested keeps its document: one that became empty or unreadable has its
                // earlier version removed with the missing files, so nothing stale stays searchable.
                seen.insert(source)
            } catch let error as PillarError where error.kind == .invalidRequest {
                report.skipped[file.path] = error.message
            }
        }
        progress(Progress(filesDone: files.count, filesTotal: files.count, chunks: report.chunks, currentFile: ""))
        if isDirectory.boolValue {
            report.removed = try await removeMissing(
                tenant: tenant,
                prefix: root.absoluteString.hasSuffix("/")
                    ? root.absoluteString : root.absoluteString + "/", keep: seen)
        }
        return report
    }

    /// Deletes the documents under `prefix` that the last walk did not see.
    func removeMissing(tenant: String, prefix: String, keep: Set<String>) async throws -> Int {
        var after: String?
        var gone: [String] = []
        while true {
            let page = try await repository.listDocuments(tenant: tenant, sourcePrefix: prefix, after: after, limit: 500)
            gone += page.filter { !keep.contains($0.sourceURI) }.map(\.id)
            guard let last = page.last, page.count == 500 else { break }
            after = last.id
        }
        return try await repository.deleteDocuments(tenant: tenant, ids: gone)
    }

    /// Regular files under a folder, hidden ones left out, in a stable order.
    static func files(under root: URL) throws -> [URL] {
        guard
            let walker = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var files: [URL] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(url.standardizedFileURL)
        }
        return files.sorted { $0.path < $1.path }
    }
}
