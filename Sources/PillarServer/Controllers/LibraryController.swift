import Foundation
import HTTPTypes
import Hummingbird
import PillarCore
import PillarFlows

/// The prompt library (`/v1/admin/prompts`) and the flow library (`/v1/admin/flows`), for the tenant's admins: save
/// versions (checked first), read and diff them, point labels at a version or split them for a canary,
/// promote one label to another, roll a label back.
struct LibraryController<Compiled: Sendable>: Sendable {
    let library: VersionedLibrary<Compiled>
    let audit: any AuditLog
    let bodyReader: RequestBodyReader

    func record(_ verb: String, _ name: String, _ context: AdminContext, _ details: [String: String]) async throws {
        try await audit.append(
            tenant: context.principal.tenant, actor: context.principal.subject,
            action: "\(library.kind.rawValue).\(verb)", target: name, details: details)
    }

    static func describe(_ split: [WeightedVersion]) -> String {
        split.map { "\($0.version):\($0.weight)" }.joined(separator: ",")
    }

    struct NewVersion: Decodable {
        var name: String?
        var note: String?
        /// A prompt's definition.
        var prompt: JSONValue?
        /// A flow's YAML text.
        var yaml: String?
    }

    struct LabelChange: Decodable {
        var version: Int?
        var split: [WeightedVersion]?
    }

    struct Entry: Encodable {
        var name: String
        var versions: [VersionView]
        var labels: [LibraryLabel]
    }

    struct Promotion: Decodable {
        var from: String
        var to: String
    }

    struct VersionView: Encodable {
        var name: String
        var version: Int
        var note: String?
        var createdBy: String
        var createdAt: Double
        var body: String?

        init(_ record: LibraryVersion, withBody: Bool) {
            name = record.name
            version = record.version
            note = record.note
            createdBy = record.createdBy
            createdAt = record.createdAt
            body = withBody ? record.body : nil
        }

        enum CodingKeys: String, CodingKey {
            case name, version, note, body
            case createdBy = "created_by"
            case createdAt = "created_at"
        }
    }

    func addRoutes(to group: RouterGroup<AdminContext>) {
        group.get("", use: list)
        group.post("", use: save)
        group.get("{name}", use: show)
        group.get("{name}/versions/{version}", use: version)
        group.get("{name}/diff", use: diff)
        group.put("{name}/labels/{label}", use: setLabel)
        group.post("{name}/labels/{label}/rollback", use: rollback)
        group.post("{name}/promote", use: promote)
    }

    @Sendable func list(_ request: Request, context: AdminContext) async throws -> Response {
        try JSONResponse.make(
            try PageRequest(request).page(try await library.entries(tenant: context.principal.tenant)) { $0.name })
    }

    @Sendable func save(_ request: Request, context: AdminContext) async throws -> Response {
        let (name, body, note) = try await versionBody(of: request)
        let saved = try await library.save(
            tenant: context.principal.tenant, name: name, body: body, note: note,
            by: context.principal.subject)
        try await record("save", name, context, ["version": String(saved.version)])
        return try JSONResponse.make(VersionView(saved, withBody: false), status: .created)
    }

    /// A prompt comes as JSON `{name, note, prompt}`; a flow as JSON `{note, yaml}` or as the YAML text itself
    /// (`application/yaml`), named by its `name:`.
    private func versionBody(of request: Request) async throws -> (name: String, body: String, note: String?) {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
            .lowercased()
        if library.kind == .flow, mediaType == "application/yaml" || mediaType == "text/yaml" {
            let text = String(buffer: try await bodyReader.bytes(of: request))
            return (try flowName(in: text, claimed: nil), text, request.uri.queryParameters.get("note"))
        }
        let body = try await bodyReader.decode(NewVersion.self, from: request)
        switch library.kind {
        case .prompt:
            guard let name = body.name else { throw PillarError.invalidRequest("name is required", param: "name") }
            guard let prompt = body.prompt, case .object = prompt else {
                throw PillarError.invalidRequest("prompt must be an object: {variables, parameters, messages}", param: "prompt")
            }
            return (name, String(decoding: try JSONEncoder().encode(prompt), as: UTF8.self), body.note)
        case .flow:
            guard let yaml = body.yaml else { throw PillarError.invalidRequest("yaml is required", param: "yaml") }
            return (try flowName(in: yaml, claimed: body.name), yaml, body.note)
        }
    }

    /// The flow's own `name:`, from the checked document (so its errors come with their lines).
    private func flowName(in yaml: String, claimed: String?) throws -> String {
        guard let flow = try library.check(yaml) as? CompiledFlow else {
            throw PillarError.invalidRequest("The flow is not valid.", code: "invalid_flow")
        }
        if let claimed, claimed != flow.spec.name {
            throw PillarError.invalidRequest(
                "name '\(claimed)' differs from the flow's own name '\(flow.spec.name)'", param: "name")
        }
        return flow.spec.name
    }

    @Sendable func show(_ request: Request, context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let versions = try await library.versions(tenant: context.principal.tenant, name: name)
        guard !versions.isEmpty else {
            throw PillarError.notFound("There is no \(library.kind.rawValue) named '\(name.prefix(80))'.")
        }
        let labels = try await library.labels(tenant: context.principal.tenant, name: name)
        return try JSONResponse.make(
            Entry(name: name, versions: versions.map { VersionView($0, withBody: false) }, labels: labels))
    }

    @Sendable func version(_ request: Request, context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let number = try context.parameters.require("version", as: Int.self)
        guard
            let record = try await library.versions(tenant: context.principal.tenant, name: name).first(where: {
                $0.version == number
            })
        else {
            throw PillarError.notFound("The \(library.kind.rawValue) '\(name.prefix(80))' has no version \(number).")
        }
        return try JSONResponse.make(VersionView(record, withBody: true))
    }

    @Sendable func diff(_ request: Request, context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let query = request.uri.queryParameters
        guard let from = query.get("from").flatMap({ Int($0) }), let to = query.get("to").flatMap({ Int($0) }) else {
            throw PillarError.invalidRequest("from and to must be version numbers", param: "from")
        }
        let text = try await library.diff(tenant: context.principal.tenant, name: name, from: from, to: to)
        return try JSONResponse.make(["diff": text])
    }

    @Sendable func setLabel(_ request: Request, context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let label = try context.parameters.require("label")
        let change = try await bodyReader.decode(LabelChange.self, from: request)
        let split: [WeightedVersion]
        switch (change.version, change.split) {
        case (let version?, nil): split = [WeightedVersion(version: version, weight: 100)]
        case (nil, let shares?): split = shares
        default: throw PillarError.invalidRequest("give either version or split", param: "version")
        }
        let updated = try await library.setLabel(
            tenant: context.principal.tenant, name: name, label: label, split: split,
            by: context.principal.subject)
        try await record("label", name, context, ["label": label, "split": Self.describe(split)])
        return try JSONResponse.make(updated)
    }

    @Sendable func rollback(_ request: Request, context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let label = try context.parameters.require("label")
        let restored = try await library.rollback(
            tenant: context.principal.tenant, name: name, label: label,
            by: context.principal.subject)
        try await record("rollback", name, context, ["label": label, "split": Self.describe(restored.split)])
        return try JSONResponse.make(restored)
    }

    @Sendable func promote(_ request: Request, context: AdminContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let promotion = try await bodyReader.decode(Promotion.self, from: request)
        let promoted = try await library.promote(
            tenant: context.principal.tenant, name: name, from: promotion.from,
            to: promotion.to, by: context.principal.subject)
        try await record(
            "promote", name, context,
            [
                "from": promotion.from, "to": promotion.to,
                "split": Self.describe(promoted.split),
            ])
        return try JSONResponse.make(promoted)
    }
}
