import Foundation
import PillarCore
import Synchronization

/// The prompt library and the flow library: immutable versions checked when saved, labels that point at a
/// version or split traffic between versions (sticky per conversation), promotion and rollback. Shipped
/// prompts and flows are installed into a tenant's library as version 1, labelled `production`, the first
/// time they are needed, so a tenant can version and relabel them like its own.
public final class VersionedLibrary<Compiled: Sendable>: Sendable {
    public struct Resolved: Sendable {
        public var value: Compiled
        public var use: FlowTrace.ArtifactUse
    }

    public static var defaultLabel: String { "production" }

    public let kind: LibraryKind
    let repository: any LibraryRepository
    let shipped: [String: String]
    let compile: @Sendable (String) throws(PillarError) -> Compiled
    let approval: (any PromotionApproval)?
    /// Versions never change, so a compiled version stays valid for as long as the process runs.
    private let compiled = Mutex<[String: Compiled]>([:])

    public init(
        kind: LibraryKind, repository: any LibraryRepository, shipped: [String: String],
        approval: (any PromotionApproval)? = nil,
        compile: @escaping @Sendable (String) throws(PillarError) -> Compiled
    ) {
        self.kind = kind
        self.repository = repository
        self.shipped = shipped
        self.approval = approval
        self.compile = compile
    }

    var noun: String { kind.rawValue }

    /// The version a reference selects for this request; `stickyKey` (a conversation) keeps a canary's
    /// choice stable across the conversation's turns.
    public func resolve(
        _ reference: LibraryReference, tenant: String, runLabel: String?,
        stickyKey: String
    ) async throws -> Resolved {
        let label: String
        switch reference.selector {
        case .version(let version):
            return Resolved(
                value: try await load(tenant: tenant, name: reference.name, version: version),
                use: .init(name: reference.name, version: version, label: nil))
        case .label(let explicit): label = explicit
        case .inherited: label = runLabel ?? Self.defaultLabel
        }
        var labels = try await repository.labels(tenant: tenant, kind: kind, name: reference.name)
        if labels.isEmpty, let body = shipped[reference.name] {
            _ = try await repository.installIfAbsent(
                tenant: tenant, kind: kind, name: reference.name, body: body,
                labels: [Self.defaultLabel])
            labels = try await repository.labels(tenant: tenant, kind: kind, name: reference.name)
        }
        var chosen = labels.first { $0.label == label }
        if chosen == nil, case .inherited = reference.selector {
            chosen = labels.first { $0.label == Self.defaultLabel }
        }
        guard let chosen else {
            throw PillarError.notFound("The \(noun) '\(reference.name)' has no label '\(label)'.")
        }
        let version = CanarySplit.pick(
            chosen.split, stickyKey: stickyKey, salt: "\(kind.rawValue)/\(reference.name)/\(chosen.label)")
        return Resolved(
            value: try await load(tenant: tenant, name: reference.name, version: version),
            use: .init(name: reference.name, version: version, label: chosen.label))
    }

    func load(tenant: String, name: String, version: Int) async throws -> Compiled {
        let key = "\(tenant)\u{0}\(name)\u{0}\(version)"
        if let hit = compiled.withLock({ $0[key] }) { return hit }
        guard let record = try await repository.version(tenant: tenant, kind: kind, name: name, version: version) else {
            throw PillarError.notFound("The \(noun) '\(name)' has no version \(version).")
        }
        let value = try compile(record.body)
        compiled.withLock { $0[key] = value }
        return value
    }

    /// Checks a body as saving would, without saving it.
    public func check(_ body: String) throws(PillarError) -> Compiled {
        try compile(body)
    }

    /// Checks the body and saves it as the name's next version. A new name's first version is labelled
    /// `production` at once (there is nothing yet to protect); later versions serve only once a label points
    /// at them.
    public func save(tenant: String, name: String, body: String, note: String?, by: String) async throws -> LibraryVersion {
        try LibraryReference.validate(name: name)
        _ = try compile(body)
        try await installShipped(tenant: tenant, name: name)
        let saved = try await repository.addVersion(tenant: tenant, kind: kind, name: name, body: body, note: note, createdBy: by)
        if saved.version == 1 {
            _ = try await repository.setLabel(
                tenant: tenant, kind: kind, name: name, label: Self.defaultLabel,
                split: [WeightedVersion(version: 1, weight: 100)], by: by)
        }
        return saved
    }

    /// Points a label at one version or at a split; every version must exist.
    public func setLabel(tenant: String, name: String, label: String, split: [WeightedVersion], by: String) async throws
        -> LibraryLabel
    {
        try LibraryReference.validate(label: label)
        do { try CanarySplit.validate(split) } catch {
            throw PillarError.invalidRequest("The split is not valid: \(error)", param: "split")
        }
        try await installShipped(tenant: tenant, name: name)
        let existing = Set(try await repository.versions(tenant: tenant, kind: kind, name: name).map(\.version))
        guard !existing.isEmpty else { throw PillarError.notFound("There is no \(noun) named '\(name)'.") }
        for share in split where !existing.contains(share.version) {
            throw PillarError.invalidRequest("The \(noun) '\(name)' has no version \(share.version).", param: "split")
        }
        if label == Self.defaultLabel, let approval {
            let serving = Set(
                try await repository.labels(tenant: tenant, kind: kind, name: name)
                    .first { $0.label == label }?.split.map(\.version) ?? [])
            let arriving = split.filter { $0.weight > 0 && !serving.contains($0.version) }.map(\.version)
            if !arriving.isEmpty {
                try await approval.approve(kind: kind, tenant: tenant, name: name, versions: arriving, by: by)
            }
        }
        return try await repository.setLabel(tenant: tenant, kind: kind, name: name, label: label, split: split, by: by)
    }

    /// Gives `to` the assignment `from` has now (staging → production, say).
    public func promote(tenant: String, name: String, from: String, to: String, by: String) async throws -> LibraryLabel {
        try await installShipped(tenant: tenant, name: name)
        guard let source = try await repository.labels(tenant: tenant, kind: kind, name: name).first(where: { $0.label == from })
        else {
            throw PillarError.notFound("The \(noun) '\(name)' has no label '\(from)'.")
        }
        return try await setLabel(tenant: tenant, name: name, label: to, split: source.split, by: by)
    }

    public func rollback(tenant: String, name: String, label: String, by: String) async throws -> LibraryLabel {
        try await installShipped(tenant: tenant, name: name)
        guard try await repository.labels(tenant: tenant, kind: kind, name: name).contains(where: { $0.label == label }) else {
            throw PillarError.notFound("The \(noun) '\(name)' has no label '\(label)'.")
        }
        guard let label = try await repository.rollbackLabel(tenant: tenant, kind: kind, name: name, label: label, by: by) else {
            throw PillarError.invalidRequest(
                "The label '\(label)' of \(noun) '\(name)' has no earlier assignment to return to.",
                code: "nothing_to_roll_back")
        }
        return label
    }

    public func diff(tenant: String, name: String, from: Int, to: Int) async throws -> String {
        try await installShipped(tenant: tenant, name: name)
        guard let old = try await repository.version(tenant: tenant, kind: kind, name: name, version: from) else {
            throw PillarError.notFound("The \(noun) '\(name)' has no version \(from).")
        }
        guard let new = try await repository.version(tenant: tenant, kind: kind, name: name, version: to) else {
            throw PillarError.notFound("The \(noun) '\(name)' has no version \(to).")
        }
        return TextDiff.unified(
            from: readable(old.body), to: readable(new.body),
            oldLabel: "\(name)@\(from)", newLabel: "\(name)@\(to)")
    }

    /// A prompt diffs best as text: its templates with their real line breaks, one message after another.
    func readable(_ body: String) -> String {
        guard kind == .prompt, let definition = try? JSONDecoder().decode(PromptDefinition.self, from: Data(body.utf8)) else {
            return body
        }
        return definition.readableText
    }

    public func entries(tenant: String) async throws -> [LibraryEntry] {
        for name in shipped.keys { try await installShipped(tenant: tenant, name: name) }
        return try await repository.entries(tenant: tenant, kind: kind)
    }

    public func versions(tenant: String, name: String) async throws -> [LibraryVersion] {
        try await installShipped(tenant: tenant, name: name)
        return try await repository.versions(tenant: tenant, kind: kind, name: name)
    }

    public func labels(tenant: String, name: String) async throws -> [LibraryLabel] {
        try await installShipped(tenant: tenant, name: name)
        return try await repository.labels(tenant: tenant, kind: kind, name: name)
    }

    /// A shipped name enters the tenant's library before the tenant first changes or lists it, so that the
    /// tenant's own first version is 2 and `production` keeps pointing at what shipped.
    func installShipped(tenant: String, name: String) async throws {
        guard let body = shipped[name] else { return }
        _ = try await repository.installIfAbsent(tenant: tenant, kind: kind, name: name, body: body, labels: [Self.defaultLabel])
    }
}
