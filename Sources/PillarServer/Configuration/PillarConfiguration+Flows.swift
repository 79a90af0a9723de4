import Foundation
import PillarCore

extension PillarConfiguration {
    /// Orchestration: which model flows call by default, how much history they see, and which hosts their
    /// `http` nodes may call.
    public struct Flows: Sendable, Codable, Hashable {
        /// The model an llm node uses when neither it nor its prompt names one; unset, the first model the
        /// gateway serves for chat.
        public var defaultModel: String?
        /// Earlier turns handed to a flow are cut, oldest first, to fit this many (estimated) tokens.
        public var historyTokens: Int = 1_500
        /// Hosts (`host` or `host:port`) that `http` nodes may call. Empty: no tool calls at all.
        public var allowedHosts: [String] = []

        public init() {}
    }

    func validateFlows(into problems: inout ConfigurationProblems) {
        problems.require((0...100_000).contains(flows.historyTokens), key: "flows.historyTokens", "must be 0-100000")
        for host in flows.allowedHosts where host.isEmpty || host.contains("/") || host.contains(" ") {
            problems.add(key: "flows.allowedHosts", "'\(host)' must be a host or host:port")
        }
        if let model = flows.defaultModel, model.isEmpty {
            problems.add(key: "flows.defaultModel", "must not be empty")
        }
    }
}

extension PillarConfiguration.Flows {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case defaultModel, historyTokens, allowedHosts
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        defaultModel = try container.decodeIfPresent(String.self, forKey: .defaultModel)
        historyTokens = try container.value(.historyTokens, or: historyTokens)
        allowedHosts = try container.value(.allowedHosts, or: allowedHosts)
    }
}
