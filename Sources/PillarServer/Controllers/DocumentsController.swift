import Foundation
import HTTPTypes
import Hummingbird
import PillarCore
import PillarGateway
import PillarRetrieval

/// Grounding data over HTTP: admins add, list and delete a tenant's documents; every caller searches what
/// its groups may read.
struct DocumentsController: Sendable {
    let repository: any DocumentRepository
    let ingestor: Ingestor
    let retriever: Retriever
    let admission: AdmissionControl?
    let audit: any AuditLog
    let bodyReader: RequestBodyReader
    let embeddingModel: String
    /// Where the sample documents are (`retrieval.samplesDirectory`, resolved).
    let samplesDirectory: String?

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        addSampleRoutes(to: group)
        group.post("documents", use: create)
        group.get("documents", use: list)
        group.get("documents/{id}", use: show)
        group.delete("documents/{id}", use: delete)
        group.post("search", use: search)
    }

    /// `{"source": "...", "title": "...", "format": "markdown", "content": "...", "acl": ["group"]}` (or
    /// `content_base64` for binary formats such as PDF), or a multipart form with a `file` part and `source`,
    /// `title`, `format` and `acl` fields.
    struct NewDocument: Decodable {
        var source: String?
        var title: String?
        var format: String?
        var content: String?
        var contentBase64: String?
        var acl: [String]?

        enum CodingKeys: String, CodingKey {
            case source, title, format, content, acl
            case contentBase64 = "content_base64"
        }
    }

    struct Ingested: Encodable {
        var document: DocumentView
        var change: String
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try requireAdmin(context)
        let source = try await readSource(request)
        let caller = ModelGateway.Caller(tenant: context.principal.tenant, subject: context.principal.subject)
        let outcome = try await ingestor.ingest(source, tenant: context.principal.tenant, caller: caller)
        if outcome.change != .unchanged {
            try await audit.append(
                tenant: context.principal.tenant, actor: context.principal.subject, action: "document.ingest",
                target: outcome.document.id,
                details: [
                    "source": outcome.document.sourceURI, "change": outcome.change.rawValue,
                    "version": String(outcome.document.version),
                ])
        }
        return try JSONResponse.make(
            Ingested(document: DocumentView(outcome.document), change: outcome.change.rawValue),
            status: outcome.change == .created ? .created : .ok)
    }

    private func readSource(_ request: Request) async throws -> Ingestor.Source {
        let contentType = request.headers[.contentType] ?? ""
        if contentType.lowercased().hasPrefix("multipart/form-data") {
            let form = try MultipartForm(
                body: Data(try await bodyReader.bytes(of: request).readableBytesView), contentType: contentType)
            guard let file = form.file("file"), file.fileName != nil else {
                throw PillarError.invalidRequest("The form needs a 'file' part.", param: "file")
            }
            let format = try Self.format(form.field("format"), fileName: file.fileName, contentType: file.contentType)
            guard let sourceURI = form.field("source") ?? file.fileName else {
                throw PillarError.invalidRequest("Give a 'source' field or a file name.", param: "source")
            }
            let acl = form.fields("acl").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                .filter { !$0.isEmpty }
            return Ingestor.Source(
                sourceURI: sourceURI, title: form.field("title"), format: format, data: file.data, aclGroups: acl)
        }
        let body = try await bodyReader.decode(NewDocument.self, from: request)
        guard let sourceURI = body.source else { throw PillarError.invalidRequest("'source' is required", param: "source") }
        let data: Data
        switch (body.content, body.contentBase64) {
        case (let text?, nil): data = Data(text.utf8)
        case (nil, let encoded?):
            guard let decoded = Data(base64Encoded: encoded) else {
                throw PillarError.invalidRequest("'content_base64' is not valid base64", param: "content_base64")
            }
            data = decoded
        default:
            throw PillarError.invalidRequest("Give exactly one of 'content' and 'content_base64'.", param: "content")
        }
        let format = try Self.format(body.format, fileName: sourceURI, contentType: nil, fallback: .text)
        return Ingestor.Source(sourceURI: sourceURI, title: body.title, format: format, data: data, aclGroups: body.acl ?? [])
    }

    static func format(
        _ named: String?, fileName: String?, contentType: String?,
        fallback: DocumentFormat? = nil
    ) throws(PillarError) -> DocumentFormat {
        if let named {
            guard let format = DocumentFormat(rawValue: named) else {
                throw .invalidRequest(
                    "'format' must be one of \(DocumentFormat.allCases.map(\.rawValue).joined(separator: ", "))",
                    param: "format", code: "unsupported_format")
            }
            return format
        }
        if let format = DocumentFormat.detect(fileName: fileName, contentType: contentType) ?? fallback { return format }
        throw .invalidRequest(
            "The document's format cannot be told from its name or type; give 'format'.",
            param: "format", code: "unsupported_format")
    }

    /// `GET /v1/documents?limit=100&after=doc_…&source_prefix=file:///docs/`
    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try requireAdmin(context)
        let page = try PageRequest(request)
        // Documents page by id: a cursor needs no lookup, and one that names no document still starts in order.
        let documents = try await repository.listDocuments(
            tenant: context.principal.tenant, sourcePrefix: request.uri.queryParameters.get("source_prefix"), after: page.after,
            limit: page.fetchLimit)
        return try JSONResponse.make(page.page(fetched: documents.map(DocumentView.init)))
    }

    /// A document the caller may not read is answered exactly like one that does not exist.
    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let scope = AccessScope(tenant: context.principal.tenant, groups: context.principal.groups)
        guard let document = try await repository.document(tenant: context.principal.tenant, id: id),
            context.principal.isAdmin || scope.canRead(aclGroups: document.aclGroups)
        else {
            throw PillarError.notFound("No document '\(id)'.")
        }
        var view = DocumentView(document)
        // Which other groups may read it is the administrators' business.
        if !context.principal.isAdmin { view.acl = nil }
        return try JSONResponse.make(view)
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try requireAdmin(context)
        let id = try context.parameters.require("id")
        guard try await repository.deleteDocument(tenant: context.principal.tenant, id: id) else {
            throw PillarError.notFound("No document '\(id)'.")
        }
        try await audit.append(
            tenant: context.principal.tenant, actor: context.principal.subject, action: "document.delete",
            target: id, details: [:])
        return Response(status: .noContent)
    }

    struct SearchBody: Decodable {
        var query: String
        var mode: Retriever.Mode?
        var topK: Int?
        var keywordWeight: Double?
        var vectorWeight: Double?

        enum CodingKeys: String, CodingKey {
            case query, mode
            case topK = "top_k"
            case keywordWeight = "keyword_weight"
            case vectorWeight = "vector_weight"
        }
    }

    struct SearchResults: Encodable {
        var object = "list"
        var mode: String
        var data: [SearchResultView]
    }

    @Sendable func search(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let body = try await bodyReader.decode(SearchBody.self, from: request)
        let text = body.query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 4_000 else {
            throw PillarError.invalidRequest("'query' must be 1-4000 characters", param: "query")
        }
        let topK = body.topK ?? 5
        guard (1...100).contains(topK) else { throw PillarError.invalidRequest("'top_k' must be 1-100", param: "top_k") }
        for (name, weight) in [("keyword_weight", body.keywordWeight), ("vector_weight", body.vectorWeight)] {
            if let weight, !(0...1000).contains(weight) {
                throw PillarError.invalidRequest("'\(name)' must be 0-1000", param: name)
            }
        }
        let principal = context.principal
        let mode = body.mode ?? .hybrid
        // Vector and hybrid searches embed the query: rate limits and token budgets apply as to any model call.
        let tokens = mode == .keyword ? 0 : TokenEstimate.tokens(in: text)
        let settlement =
            tokens == 0
            ? Settlement(admission: nil, reservation: nil)
            : try await Settlement.reserve(admission, for: principal, promptTokens: tokens, maxTokens: 1)
        let query = Retriever.Query(
            text: text, mode: mode, topK: topK,
            keywordWeight: body.keywordWeight, vectorWeight: body.vectorWeight)
        let results: [Retriever.Result]
        do {
            results = try await retriever.search(
                query, scope: AccessScope(tenant: principal.tenant, groups: principal.groups),
                caller: ModelGateway.Caller(tenant: principal.tenant, subject: principal.subject))
        } catch {
            await settlement.settle(usedTokens: 0)
            throw error
        }
        await settlement.settle(usedTokens: tokens)
        return try JSONResponse.make(SearchResults(mode: query.mode.rawValue, data: results.map(SearchResultView.init)))
    }

    func requireAdmin(_ context: AuthenticatedContext) throws {
        guard context.principal.isAdmin else { throw PillarError.permissionDenied("Managing documents needs the admin role.") }
    }
}

/// A document as the API shows it.
struct DocumentView: Encodable {
    var id: String
    var object = "document"
    var source: String
    var title: String?
    var format: String
    var version: Int
    var contentHash: String
    var acl: [String]?
    var bytes: Int
    var chunks: Int
    var embeddingModel: String
    var createdAt: Int
    var updatedAt: Int

    init(_ record: DocumentRecord) {
        id = record.id
        source = record.sourceURI
        title = record.title
        format = record.format
        version = record.version
        contentHash = record.contentHash
        acl = record.aclGroups
        bytes = record.bytes
        chunks = record.chunkCount
        embeddingModel = record.embeddingModel
        createdAt = Int(record.createdAt)
        updatedAt = Int(record.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, object, source, title, format, version, acl, bytes, chunks
        case contentHash = "content_hash"
        case embeddingModel = "embedding_model"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// A search result with its lineage: enough to cite the passage and find it again in its document.
struct SearchResultView: Encodable {
    var chunkID: Int64
    var documentID: String
    var documentVersion: Int
    var source: String
    var title: String?
    var text: String
    var headingPath: [String]
    var ordinal: Int
    var start: Int
    var end: Int
    var score: Double
    var keywordRank: Int?
    var vectorRank: Int?
    var keywordScore: Double?
    var vectorScore: Double?

    init(_ result: Retriever.Result) {
        chunkID = result.hit.chunkID
        documentID = result.hit.documentID
        documentVersion = result.hit.documentVersion
        source = result.hit.sourceURI
        title = result.hit.title
        text = result.hit.text
        headingPath = result.hit.headingPath
        ordinal = result.hit.ordinal
        start = result.hit.start
        end = result.hit.end
        score = result.score
        keywordRank = result.keywordRank
        vectorRank = result.vectorRank
        keywordScore = result.keywordScore
        vectorScore = result.vectorScore
    }

    enum CodingKeys: String, CodingKey {
        case text, title, source, ordinal, start, end, score
        case chunkID = "chunk_id"
        case documentID = "document_id"
        case documentVersion = "document_version"
        case headingPath = "heading_path"
        case keywordRank = "keyword_rank"
        case vectorRank = "vector_rank"
        case keywordScore = "keyword_score"
        case vectorScore = "vector_score"
    }
}
