/// What a caller may do within its tenant.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case admin
    case user
}

/// The authenticated caller of a request: who, for which tenant, with what rights.
public struct Principal: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable {
        case apiKey = "api_key"
        case oidc
        /// A person signed in through the browser (`/auth/sign-in`), carried by the session cookie.
        case session
        /// An evaluation run asking as itself (`eval:<run id>`), never a person.
        case evaluation
    }

    public var tenant: String
    public var subject: String
    public var roles: Set<Role>
    public var groups: [String]
    public var method: Method

    public init(tenant: String, subject: String, roles: Set<Role>, groups: [String] = [], method: Method) {
        self.tenant = tenant
        self.subject = subject
        self.roles = roles
        self.groups = groups
        self.method = method
    }

    public var isAdmin: Bool { roles.contains(.admin) }

    /// The tenant whose admins run the platform: the gateway, the metrics, the webhooks and the review are shared
    /// by every tenant, so only they may see them.
    public static let platformTenant = "default"

    public var isPlatformAdmin: Bool { isAdmin && tenant == Self.platformTenant }
}

public struct Tenant: Sendable, Hashable, Codable {
    public var id: String
    public var createdAt: Double

    public init(id: String, createdAt: Double) {
        self.id = id
        self.createdAt = createdAt
    }

    /// Tenant ids appear in URLs, keys and labels: keep them to a small, safe alphabet.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64
            && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
