import PillarCore

/// Two runs of the same dataset side by side: per metric, the means, the paired difference with its 95%
/// bootstrap interval and permutation p-value, pass^k over repeats, and the items that got worse. Reports
/// (Markdown, JSON, HTML) and gates read this and nothing else.
public struct EvalComparison: Sendable, Hashable, Codable {
    public struct RunSummary: Sendable, Hashable, Codable {
        public var id: String
        /// `rag@3`.
        public var flow: String
        /// `rag-answer@2`, every prompt version the run used.
        public var prompts: [String]
        /// `hotpotqa@1`.
        public var dataset: String
        public var items: Int
        public var repeats: Int
        public var status: String
        public var costUSD: Double

        public init(
            id: String, flow: String, prompts: [String], dataset: String, items: Int, repeats: Int,
            status: String, costUSD: Double
        ) {
            self.id = id
            self.flow = flow
            self.prompts = prompts
            self.dataset = dataset
            self.items = items
            self.repeats = repeats
            self.status = status
            self.costUSD = costUSD
        }

        enum CodingKeys: String, CodingKey {
            case id, flow, prompts, dataset, items, repeats, status
            case costUSD = "cost_usd"
        }
    }

    /// How far a judge can be trusted: its agreement with people's verdicts on the same items, and how much
    /// its score moves between repeats of one answer.
    public struct JudgeReliability: Sendable, Hashable, Codable {
        /// `judge-groundedness@1`.
        public var prompt: String
        /// Cohen's kappa between the judge's pass/fail and people's thumbs.
        public var kappa: Double?
        public var kappaItems: Int
        /// Spearman's rho between the judge's scores and people's ratings.
        public var spearman: Double?
        public var spearmanItems: Int
        /// The mean, over items, of the standard deviation of the judge's score across repeats.
        public var repeatStandardDeviation: Double?
        public var minimumAgreement: Double
        /// True when an agreement that could be measured is below `minimumAgreement`.
        public var flagged: Bool

        public init(
            prompt: String, kappa: Double?, kappaItems: Int, spearman: Double?, spearmanItems: Int,
            repeatStandardDeviation: Double?, minimumAgreement: Double, flagged: Bool
        ) {
            self.prompt = prompt
            self.kappa = kappa
            self.kappaItems = kappaItems
            self.spearman = spearman
            self.spearmanItems = spearmanItems
            self.repeatStandardDeviation = repeatStandardDeviation
            self.minimumAgreement = minimumAgreement
            self.flagged = flagged
        }

        enum CodingKeys: String, CodingKey {
            case prompt, kappa, spearman, flagged
            case kappaItems = "kappa_items"
            case spearmanItems = "spearman_items"
            case repeatStandardDeviation = "repeat_standard_deviation"
            case minimumAgreement = "minimum_agreement"
        }
    }

    public struct MetricComparison: Sendable, Hashable, Codable {
        public var name: String
        public var direction: EvalMetric.Direction
        public var baselineMean: Double?
        public var candidateMean: Double?
        /// Candidate minus baseline, over the items both scored (each item's mean over its repeats).
        public var delta: Double?
        public var intervalLow: Double?
        public var intervalHigh: Double?
        /// Two-sided paired permutation test of "no difference".
        public var pValue: Double?
        /// Items scored by both runs.
        public var pairs: Int
        /// pass^k: the chance that all k repeats of an item pass, averaged over items (k = the run's repeats).
        public var baselinePassK: Double?
        public var candidatePassK: Double?
        /// Per item (same order as `items`), the mean over repeats; nil where the run has no value.
        public var baselineValues: [Double?]
        public var candidateValues: [Double?]
        public var judge: JudgeReliability?

        public init(
            name: String, direction: EvalMetric.Direction, baselineMean: Double?, candidateMean: Double?,
            delta: Double?, intervalLow: Double?, intervalHigh: Double?, pValue: Double?, pairs: Int,
            baselinePassK: Double?, candidatePassK: Double?, baselineValues: [Double?], candidateValues: [Double?],
            judge: JudgeReliability? = nil
        ) {
            self.name = name
            self.direction = direction
            self.baselineMean = baselineMean
            self.candidateMean = candidateMean
            self.delta = delta
            self.intervalLow = intervalLow
            self.intervalHigh = intervalHigh
            self.pValue = pValue
            self.pairs = pairs
            self.baselinePassK = baselinePassK
            self.candidatePassK = candidatePassK
            self.baselineValues = baselineValues
            self.candidateValues = candidateValues
            self.judge = judge
        }

        enum CodingKeys: String, CodingKey {
            case name, direction, delta, pairs, judge
            case baselineMean = "baseline_mean"
            case candidateMean = "candidate_mean"
            case intervalLow = "interval_low"
            case intervalHigh = "interval_high"
            case pValue = "p_value"
            case baselinePassK = "baseline_pass_k"
            case candidatePassK = "candidate_pass_k"
            case baselineValues = "baseline_values"
            case candidateValues = "candidate_values"
        }
    }

    /// An item that got worse on a metric (by the metric's direction), worst first.
    public struct Regression: Sendable, Hashable, Codable {
        public var itemID: String
        public var question: String
        public var metric: String
        public var baseline: Double
        public var candidate: Double

        public init(itemID: String, question: String, metric: String, baseline: Double, candidate: Double) {
            self.itemID = itemID
            self.question = question
            self.metric = metric
            self.baseline = baseline
            self.candidate = candidate
        }

        enum CodingKeys: String, CodingKey {
            case question, metric, baseline, candidate
            case itemID = "item_id"
        }
    }

    public var baseline: RunSummary
    public var candidate: RunSummary
    /// Item ids, in the order of every metric's value arrays.
    public var items: [String]
    public var metrics: [MetricComparison]
    public var regressions: [Regression]
    /// What a reader must know before trusting the numbers: different datasets, unfinished runs, flagged judges.
    public var warnings: [String]
    public var bootstrapResamples: Int
    public var seed: UInt64

    public init(
        baseline: RunSummary, candidate: RunSummary, items: [String], metrics: [MetricComparison],
        regressions: [Regression], warnings: [String], bootstrapResamples: Int, seed: UInt64
    ) {
        self.baseline = baseline
        self.candidate = candidate
        self.items = items
        self.metrics = metrics
        self.regressions = regressions
        self.warnings = warnings
        self.bootstrapResamples = bootstrapResamples
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case baseline, candidate, items, metrics, regressions, warnings, seed
        case bootstrapResamples = "bootstrap_resamples"
    }

    public func metric(_ name: String) -> MetricComparison? { metrics.first { $0.name == name } }
}
