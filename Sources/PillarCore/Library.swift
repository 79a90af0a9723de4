/// What the versioned library holds: prompts and flows share versions, labels and canaries.
public enum LibraryKind: String, Sendable, Hashable, Codable, CaseIterable {
    case prompt
    case flow
}

/// One share of a label's traffic: a version and its weight in percent.
public struct WeightedVersion: Sendable, Hashable, Codable {
    public var version: Int
    public var weight: Int

    public init(version: Int, weight: Int) {
        self.version = version
        self.weight = weight
    }
}

/// An immutable version of a prompt or a flow. `body` is the definition as saved: JSON for prompts, YAML for
/// flows.
public struct LibraryVersion: Sendable, Hashable, Codable {
    public var tenant: String
    public var kind: LibraryKind
    public var name: String
    public var version: Int
    public var body: String
    public var note: String?
    public var createdBy: String
    public var createdAt: Double

    public init(
        tenant: String, kind: LibraryKind, name: String, version: Int, body: String, note: String?,
        createdBy: String, createdAt: Double
    ) {
        self.tenant = tenant
        self.kind = kind
        self.name = name
        self.version = version
        self.body = body
        self.note = note
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// Where a label points now: one version, or a split between versions (a canary).
public struct LibraryLabel: Sendable, Hashable, Codable {
    public var label: String
    public var split: [WeightedVersion]
    public var updatedBy: String
    public var updatedAt: Double

    public init(label: String, split: [WeightedVersion], updatedBy: String, updatedAt: Double) {
        self.label = label
        self.split = split
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case label, split
        case updatedBy = "updated_by"
        case updatedAt = "updated_at"
    }
}

/// A name in the library with its newest version and its labels.
public struct LibraryEntry: Sendable, Hashable, Codable {
    public var name: String
    public var latestVersion: Int
    public var labels: [LibraryLabel]

    public init(name: String, latestVersion: Int, labels: [LibraryLabel]) {
        self.name = name
        self.latestVersion = latestVersion
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case name, labels
        case latestVersion = "latest_version"
    }
}

public protocol LibraryRepository: Sendable {
    /// Saves the next version of a name (1 for a new name), atomically numbered.
    func addVersion(
        tenant: String, kind: LibraryKind, name: String, body: String, note: String?,
        createdBy: String
    ) async throws -> LibraryVersion
    func version(tenant: String, kind: LibraryKind, name: String, version: Int) async throws -> LibraryVersion?
    func versions(tenant: String, kind: LibraryKind, name: String) async throws -> [LibraryVersion]
    func entries(tenant: String, kind: LibraryKind) async throws -> [LibraryEntry]
    func labels(tenant: String, kind: LibraryKind, name: String) async throws -> [LibraryLabel]
    /// Points a label at versions; the assignment it replaces stays in the label's history for a rollback.
    func setLabel(
        tenant: String, kind: LibraryKind, name: String, label: String, split: [WeightedVersion],
        by: String
    ) async throws -> LibraryLabel
    /// Undoes the label's current assignment, so it points where it pointed before; nil when there is
    /// nothing earlier to return to.
    func rollbackLabel(
        tenant: String, kind: LibraryKind, name: String, label: String,
        by: String
    ) async throws -> LibraryLabel?
    /// Saves version 1 with these labels when the tenant has no version of the name yet (shipped prompts and
    /// flows); does nothing otherwise. True when it saved.
    func installIfAbsent(
        tenant: String, kind: LibraryKind, name: String, body: String,
        labels: [String]
    ) async throws -> Bool
}
