/// One saved version of a tenant's dataset. Versions never change: an import or a new set of items from
/// production makes the next version, so a run always names exactly what it was scored on.
public struct EvalDatasetVersion: Sendable, Hashable, Codable {
    public var tenant: String
    public var name: String
    public var version: Int
    public var itemCount: Int
    /// Where the items came from: `import`, `from-traces:feedback`, `from-traces:sample`.
    public var source: String
    public var note: String?
    public var createdBy: String
    public var createdAt: Double

    public init(
        tenant: String, name: String, version: Int, itemCount: Int, source: String, note: String?,
        createdBy: String, createdAt: Double
    ) {
        self.tenant = tenant
        self.name = name
        self.version = version
        self.itemCount = itemCount
        self.source = source
        self.note = note
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case tenant, name, version, source, note
        case itemCount = "item_count"
        case createdBy = "created_by"
        case createdAt = "created_at"
    }
}
