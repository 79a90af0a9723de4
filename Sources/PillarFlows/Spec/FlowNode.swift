import PillarCore

/// One node of a flow.
public struct FlowNode: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case llm(LLMStep)
        case retrieve(RetrieveStep)
        case template(TemplateStep)
        case guardrail(GuardStep)
        case route(RouteStep)
        case http(HTTPStep)

        /// The `kind:` value as written in YAML.
        public var name: String {
            switch self {
            case .llm: "llm"
            case .retrieve: "retrieve"
            case .template: "template"
            case .guardrail: "guard"
            case .route: "route"
            case .http: "http"
            }
        }

        public static let allNames = ["llm", "retrieve", "template", "guard", "route", "http"]
    }

    public var name: String
    /// 1-based line of the node's name in the YAML.
    public var line: Int
    public var kind: Kind
    public var when: FlowCondition?
    /// Nodes this one references (in values or conditions) or is routed from.
    public var dependencies: Set<String>
    /// Nodes referenced by a `${...}` without a `||` fallback (a runner cannot do without them).
    public var requiredDependencies: Set<String>
    /// Route nodes that list this node as a target.
    public var routedFrom: Set<String>

    /// "llm", "guard", ...
    public var kindName: String { kind.name }

    /// True for an llm node with `stream: true`.
    public var streams: Bool {
        if case .llm(let step) = kind { return step.stream }
        return false
    }

    /// Every reference the node makes (values, `when:`, route conditions), in order.
    public var references: [FlowReference] {
        referenceGroups.flatMap { $0 }
    }

    /// Every `${...}` the node makes, each as its list of `||` alternatives.
    public var referenceGroups: [[FlowReference]] {
        var groups: [[FlowReference]] = when.map { [$0.references].filter { !$0.isEmpty } } ?? []
        switch kind {
        case .llm(let step):
            groups += FlowValue.object(step.variables).referenceGroups
        case .retrieve(let step):
            groups += step.query.referenceGroups
        case .template(let step):
            groups += FlowValue.object(step.variables).referenceGroups
        case .guardrail(let step):
            groups += step.input.referenceGroups
        case .route(let step):
            groups += step.routes.compactMap { route in
                let references = route.condition.references
                return references.isEmpty ? nil : references
            }
        case .http(let step):
            groups += step.url.referenceGroups
            groups += FlowValue.object(step.headers).referenceGroups
            groups += step.body?.referenceGroups ?? []
        }
        return groups
    }
}

/// A declared input of a flow.
public struct FlowInput: Sendable, Hashable {
    public enum ValueType: String, Sendable, Hashable, CaseIterable {
        case string, number, boolean, messages, object, array

        /// True when the JSON value has this type (null never matches).
        public func matches(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.string, .string), (.number, .number), (.boolean, .bool),
                (.messages, .array), (.object, .object), (.array, .array):
                true
            default:
                false
            }
        }
    }

    public var name: String
    public var type: ValueType
    public var required: Bool
    public var defaultValue: JSONValue?
    public var line: Int
}

/// A named output of a flow.
public struct FlowOutput: Sendable, Hashable {
    public var name: String
    public var value: FlowValue
    public var line: Int
}
