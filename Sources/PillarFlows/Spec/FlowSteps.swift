import PillarCore

/// `kind: llm` — renders a library prompt and calls a model.
public struct LLMStep: Sendable, Hashable {
    /// The prompt as written, `name` or `name@label`.
    public var prompt: String
    public var variables: [FlowField]
    public var model: String?
    public var maxTokens: Int?
    public var temperature: Double?
    public var stream: Bool

    /// `rag-answer` of `rag-answer@prod`.
    public var promptName: String { String(prompt.split(separator: "@", maxSplits: 1).first ?? "") }
    /// `prod` of `rag-answer@prod`, nil without a label.
    public var promptLabel: String? {
        let parts = prompt.split(separator: "@", maxSplits: 1)
        return parts.count == 2 ? String(parts[1]) : nil
    }
}

/// `kind: retrieve` — searches the tenant's documents.
public struct RetrieveStep: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case keyword, vector, hybrid
    }

    public static let defaultTopK = 5
    public static let topKRange = 1...50

    public var query: FlowValue
    public var topK: Int
    public var mode: Mode
    public var minSimilarity: Double?
}

/// `kind: template` — renders Mustache text with variables.
public struct TemplateStep: Sendable, Hashable {
    public var template: String
    public var variables: [FlowField]
}

/// `kind: guard` — checks a value and blocks (or flags) the flow when a check fails.
public struct GuardStep: Sendable, Hashable {
    public enum Check: Sendable, Hashable {
        case notEmpty
        case maxChars(Int)
        case minChars(Int)
        case blocklist([String])
        /// An ICU regular expression (validated at load time); the check fails when it matches.
        case pattern(String)
        /// The tenant's content filter (categories, severities, blocklist) at its thresholds.
        case contentFilter
        /// The prompt shield's jailbreak detection.
        case jailbreak
        /// Personal data, of the kinds the tenant's policy names.
        case personalData
    }

    public enum OnFail: String, Sendable, Hashable, CaseIterable {
        case block
        case `continue`
    }

    public var input: FlowValue
    public var checks: [Check]
    public var onFail: OnFail
}

/// `kind: route` — picks the first matching target; the other targets are skipped.
public struct RouteStep: Sendable, Hashable {
    public struct Route: Sendable, Hashable {
        public var condition: FlowCondition
        public var target: String
        public var line: Int
    }

    public var routes: [Route]
    public var defaultTarget: String

    /// Every node this route may send to, in order, without duplicates.
    public var targets: [String] {
        var seen = Set<String>()
        return (routes.map(\.target) + [defaultTarget]).filter { seen.insert($0).inserted }
    }

    /// The chosen target for the given values.
    public func choose(_ resolve: (FlowReference) -> JSONValue?) -> String {
        routes.first { $0.condition.evaluate(resolve) }?.target ?? defaultTarget
    }
}

/// `kind: http` — calls an allowed host.
public struct HTTPStep: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable, CaseIterable {
        case GET, POST, PUT, DELETE
    }

    public static let defaultTimeoutSeconds = 10.0
    public static let maxTimeoutSeconds = 60.0

    public var method: Method
    public var url: FlowValue
    public var headers: [FlowField]
    public var body: FlowValue?
    public var timeoutSeconds: Double
}
