import Foundation

/// One online backup as `pillar backup` recorded it in the database it copied: where it went, the audit chain's
/// head at that moment, and how large it was. `pillar review` reads the newest one's age.
public struct BackupRecord: Sendable, Hashable, Codable {
    public var id: String
    public var at: Double
    public var directory: String
    public var auditHeadSeq: Int64
    public var auditHeadHash: String
    public var bytes: Int64

    public init(id: String, at: Double, directory: String, auditHeadSeq: Int64, auditHeadHash: String, bytes: Int64) {
        self.id = id
        self.at = at
        self.directory = directory
        self.auditHeadSeq = auditHeadSeq
        self.auditHeadHash = auditHeadHash
        self.bytes = bytes
    }
}

/// What one round of the isolation probe found.
public struct IsolationProbeRun: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Every identity that must not see a canary did not, and the probe's own identities saw theirs.
        case passed
        /// Some identity saw a canary it must not: a critical alert and an audit record were raised.
        case leaked
        /// The probe could not show anything: its own identities did not find the canaries, or a step failed.
        case inconclusive
    }

    /// One identity that saw a canary it must not.
    public struct Leak: Sendable, Hashable, Codable {
        /// `search` or `flow`.
        public var path: String
        public var tenant: String
        public var groups: [String]
        /// `open` (a document of the probe tenant with no ACL) or `restricted` (one under the probe's group).
        public var canary: String

        public init(path: String, tenant: String, groups: [String], canary: String) {
            self.path = path
            self.tenant = tenant
            self.groups = groups
            self.canary = canary
        }
    }

    public var id: String
    public var startedAt: Double
    public var finishedAt: Double
    public var status: Status
    /// How many (identity, path, canary) attempts that had to find nothing were made.
    public var attempts: Int
    public var tenantsProbed: Int
    public var leaks: [Leak]
    public var problems: [String]

    public init(
        id: String, startedAt: Double, finishedAt: Double, status: Status, attempts: Int, tenantsProbed: Int,
        leaks: [Leak], problems: [String]
    ) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.attempts = attempts
        self.tenantsProbed = tenantsProbed
        self.leaks = leaks
        self.problems = problems
    }
}

/// A load test's outcome as its tool reported it to the server (`pillar-load --record`), the evidence behind
/// the review's "load tested at the expected rate".
public struct LoadTestRecord: Sendable, Hashable, Codable {
    public var id: String
    public var at: Double
    public var tool: String
    public var target: String
    public var requestsPerSecond: Double
    public var p95Ms: Double
    public var errorRate: Double
    public var durationSeconds: Double
    public var concurrency: Int

    public init(
        id: String, at: Double, tool: String, target: String, requestsPerSecond: Double, p95Ms: Double,
        errorRate: Double, durationSeconds: Double, concurrency: Int
    ) {
        self.id = id
        self.at = at
        self.tool = tool
        self.target = target
        self.requestsPerSecond = requestsPerSecond
        self.p95Ms = p95Ms
        self.errorRate = errorRate
        self.durationSeconds = durationSeconds
        self.concurrency = concurrency
    }
}

/// Where the assurance evidence is kept: backups taken, isolation probe rounds, load tests reported.
public protocol AssuranceRepository: Sendable {
    func recordBackup(_ backup: BackupRecord) async throws
    func latestBackup() async throws -> BackupRecord?
    func saveProbeRun(_ run: IsolationProbeRun) async throws
    func latestProbeRun() async throws -> IsolationProbeRun?
    func recordLoadTest(_ test: LoadTestRecord) async throws
    func loadTests(limit: Int) async throws -> [LoadTestRecord]
}

/// The tenant the isolation probe plants its canaries in. No person or program may hold a key to it, sign in
/// to it, or be mapped onto it; its documents are never in anyone else's results, and the probe's own model
/// calls are metered to it, so no other tenant's usage or bill moves.
public enum ProbeTenant {
    public static let id = "pillar-probe"
    /// The subject the probe asks as, in whichever tenant it probes.
    public static let subject = "probe:isolation"
    /// The ACL group of the probe's restricted canary.
    public static let restrictedGroup = "pillar-probe-restricted"

    public static func isReserved(_ tenant: String) -> Bool { tenant == id }
}
