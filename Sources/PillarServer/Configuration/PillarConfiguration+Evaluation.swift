import Foundation
import PillarCore
import PillarGateway

extension PillarConfiguration {
    /// Evaluation runs: the judge model, how far judges must agree with people to be trusted, how large a run
    /// may be, and the budget runs spend (apart from the tenant's users' budgets).
    public struct Evaluation: Sendable, Codable, Hashable {
        /// The model judges use when neither the run nor the judge prompt names one; unset, the flows' model.
        public var judgeModel: String?
        /// A judge whose kappa or Spearman agreement with people's verdicts is below this is flagged.
        public var minimumJudgeAgreement: Double = 0.4
        public var maxConcurrency: Int = 16
        public var maxRepeats: Int = 10
        /// The evaluation budget of every tenant not listed in `tenants`.
        public var budgetDefault: UsageLimits? = UsageLimits(tokensPerDay: 20_000_000)
        public var budgets: [String: UsageLimits] = [:]
        /// plotly.js for HTML reports; unset, the copy set-up takes out of plotly's wheel
        /// (`$PILLAR_CACHE/vendor/plotly.min.js`, `~/.cache/pillar/vendor/plotly.min.js`).
        public var plotlyScript: String?

        public init() {}
    }

    /// Promotion of prompt and flow versions, per tenant.
    public struct Promotion: Sendable, Codable, Hashable {
        public var tenantDefault = PromotionPolicy()
        public var tenants: [String: PromotionPolicy] = [:]

        public init() {}

        public func policy(for tenant: String) -> PromotionPolicy { tenants[tenant] ?? tenantDefault }
    }

    public struct PromotionPolicy: Sendable, Codable, Hashable {
        /// A version may reach `production` only with a passing evaluation gate on record for it.
        public var requireEval = false

        public init(requireEval: Bool = false) { self.requireEval = requireEval }
    }

    func validateEvaluation(into problems: inout ConfigurationProblems) {
        problems.require(
            (0...1).contains(evaluation.minimumJudgeAgreement), key: "evaluation.minimumJudgeAgreement", "must be 0-1")
        problems.require((1...256).contains(evaluation.maxConcurrency), key: "evaluation.maxConcurrency", "must be 1-256")
        problems.require((1...100).contains(evaluation.maxRepeats), key: "evaluation.maxRepeats", "must be 1-100")
        if let model = evaluation.judgeModel, model.isEmpty {
            problems.add(key: "evaluation.judgeModel", "must not be empty")
        }
    }

    /// The plotly.js file HTML reports inline, if there is one.
    func plotlyScriptPath(environment: [String: String]) -> String? {
        var candidates: [String] = []
        if let configured = evaluation.plotlyScript { candidates.append(configured) }
        if let cache = environment["PILLAR_CACHE"] { candidates.append(cache + "/vendor/plotly.min.js") }
        if let home = environment["HOME"] { candidates.append(home + "/.cache/pillar/vendor/plotly.min.js") }
        return candidates.first { FileManager.default.isReadableFile(atPath: $0) }
    }
}

extension PillarConfiguration.Evaluation {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case judgeModel, minimumJudgeAgreement, maxConcurrency, maxRepeats, budgetDefault, budgets, plotlyScript
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        judgeModel = try container.decodeIfPresent(String.self, forKey: .judgeModel)
        minimumJudgeAgreement = try container.value(.minimumJudgeAgreement, or: minimumJudgeAgreement)
        maxConcurrency = try container.value(.maxConcurrency, or: maxConcurrency)
        maxRepeats = try container.value(.maxRepeats, or: maxRepeats)
        if container.contains(.budgetDefault) {
            budgetDefault = try container.decodeIfPresent(UsageLimits.self, forKey: .budgetDefault)
        }
        budgets = try container.value(.budgets, or: budgets)
        plotlyScript = try container.decodeIfPresent(String.self, forKey: .plotlyScript)
    }
}

extension PillarConfiguration.Promotion {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case tenantDefault, tenants
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tenantDefault = try container.value(.tenantDefault, or: tenantDefault)
        tenants = try container.value(.tenants, or: tenants)
    }
}

extension PillarConfiguration.PromotionPolicy {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case requireEval
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requireEval = try container.value(.requireEval, or: requireEval)
    }
}
