/// A gate as decided: which candidate run was held against which baseline under which requirement, and
/// whether it passed. A passing gate is what lets a version be promoted when a tenant requires evaluation.
public struct EvalGateRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenant: String
    public var dataset: String
    public var candidateRunID: String
    public var baselineRunID: String
    public var requirement: String
    public var passed: Bool
    /// The flow and prompt versions the candidate run used: what a passing gate vouches for.
    public var candidateVersions: EvalRunVersions
    /// The verdict as JSON (every clause with its value and message).
    public var verdict: JSONValue
    public var createdBy: String
    public var createdAt: Double

    public init(
        id: String, tenant: String, dataset: String, candidateRunID: String, baselineRunID: String,
        requirement: String, passed: Bool, candidateVersions: EvalRunVersions, verdict: JSONValue,
        createdBy: String, createdAt: Double
    ) {
        self.id = id
        self.tenant = tenant
        self.dataset = dataset
        self.candidateRunID = candidateRunID
        self.baselineRunID = baselineRunID
        self.requirement = requirement
        self.passed = passed
        self.candidateVersions = candidateVersions
        self.verdict = verdict
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenant, dataset, requirement, passed, verdict
        case candidateRunID = "candidate_run_id"
        case baselineRunID = "baseline_run_id"
        case candidateVersions = "candidate_versions"
        case createdBy = "created_by"
        case createdAt = "created_at"
    }

    /// Whether this gate vouches for a version of a prompt or a flow.
    public func vouches(for kind: LibraryKind, name: String, version: Int) -> Bool {
        guard passed else { return false }
        switch kind {
        case .flow: return candidateVersions.flow.name == name && candidateVersions.flow.version == version
        case .prompt: return candidateVersions.prompts.contains { $0.name == name && $0.version == version }
        }
    }
}

/// The run a (dataset, flow) pair is measured against by default.
public struct EvalBaseline: Sendable, Hashable, Codable {
    public var dataset: String
    public var flow: String
    public var runID: String
    public var setBy: String
    public var setAt: Double

    public init(dataset: String, flow: String, runID: String, setBy: String, setAt: Double) {
        self.dataset = dataset
        self.flow = flow
        self.runID = runID
        self.setBy = setBy
        self.setAt = setAt
    }

    enum CodingKeys: String, CodingKey {
        case dataset, flow
        case runID = "run_id"
        case setBy = "set_by"
        case setAt = "set_at"
    }
}
