import Foundation
import PillarCore
import Yams

/// Why a YAML of custom scorers was refused: every problem found, each starting with the path it is at
/// (`scorers[2].pattern: ...`).
public struct CustomScorerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Always `invalid_scorers`.
    public var code: String
    public var message: String
    public var problems: [String]

    public init(problems: [String]) {
        code = "invalid_scorers"
        self.problems = problems
        message = "The scorers are not valid: " + problems.joined(separator: "; ")
    }

    public var description: String { message }
}

extension CustomScorerSet {
    public static let yamlSizeLimit = 16 * 1024
    public static let scorerLimit = 50
    public static let kinds = ["contains", "not_contains", "regex", "json_schema", "judge"]
    /// Longest `value` of a contains or not_contains scorer.
    public static let valueLengthLimit = 1000

    /// Reads scorers from YAML:
    ///
    /// ```yaml
    /// scorers:
    ///   - {name: mentions_policy, kind: contains, value: policy, ignore_case: true}
    ///   - {name: has_date, kind: regex, pattern: '\d{4}-\d{2}-\d{2}'}
    ///   - {name: valid_json, kind: json_schema, schema: {type: object, required: [answer]}}
    ///   - {name: polite, kind: judge, prompt: judge-politeness@1, pass_threshold: 4}
    /// ```
    ///
    /// A name is `[a-z][a-z0-9_]{0,63}`, unique and not a built-in metric's. Every scorer may have a
    /// `description`. At most 50 scorers in 16 KiB; patterns (also a schema's) at most 1000 characters and
    /// compiled here; schemas nested at most 32 deep. An empty document declares no scorers.
    public init(yaml: String) throws(CustomScorerError) {
        guard yaml.utf8.count <= Self.yamlSizeLimit else {
            throw CustomScorerError(problems: ["scorers: the YAML is larger than 16 KiB"])
        }
        if let problem = YAMLNestingGuard.problem(in: yaml) { throw CustomScorerError(problems: ["scorers: " + problem]) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw CustomScorerError(problems: ["scorers: the YAML cannot be read: \(String(describing: error).prefix(300))"])
        }
        var reader = ScorerReader()
        let scorers = reader.read(root)
        guard reader.problems.isEmpty else { throw CustomScorerError(problems: reader.problems) }
        self.init(scorers: scorers)
    }
}

/// Turns the YAML tree into scorers, collecting problems with their paths.
struct ScorerReader {
    static let problemLimit = 20
    /// Nodes visited at most, so that aliases repeating a subtree cannot make the walk explode.
    static let nodeLimit = 20_000

    var problems: [String] = []
    var visitedNodes = 0

    mutating func fail(_ path: String, _ message: String) {
        if problems.count < Self.problemLimit { problems.append("\(path): \(message)") }
    }

    mutating func read(_ root: Node?) -> [CustomScorer] {
        guard let root else { return [] }
        if case .scalar(let scalar) = root, scalar.tagName == .null { return [] }
        guard let mapping = root.mapping else {
            fail("scorers", "the YAML must be a mapping with the key 'scorers'")
            return []
        }
        var list: Node?
        for (key, value) in mapping {
            guard let name = key.scalar?.string, name == "scorers" else {
                fail(key.scalar?.string ?? "(key)", "unknown key; the YAML has only 'scorers'")
                continue
            }
            list = value
        }
        guard let list else { return [] }
        if case .scalar(let scalar) = list, scalar.tagName == .null { return [] }
        guard let sequence = list.sequence else {
            fail("scorers", "must be a list of scorers")
            return []
        }
        guard sequence.count <= CustomScorerSet.scorerLimit else {
            fail("scorers", "at most \(CustomScorerSet.scorerLimit) scorers, got \(sequence.count)")
            return []
        }
        var scorers: [CustomScorer] = []
        var names: Set<String> = []
        for (index, node) in sequence.enumerated() {
            let path = "scorers[\(index)]"
            guard let scorer = readScorer(node, path: path) else { continue }
            guard names.insert(scorer.name).inserted else {
                fail("\(path).name", "'\(scorer.name)' is declared twice")
                continue
            }
            scorers.append(scorer)
        }
        return scorers
    }

    static let keysByKind: [String: Set<String>] = [
        "contains": ["value", "ignore_case"],
        "not_contains": ["value", "ignore_case"],
        "regex": ["pattern", "ignore_case"],
        "json_schema": ["schema"],
        "judge": ["prompt", "pass_threshold"],
    ]

    mutating func readScorer(_ node: Node, path: String) -> CustomScorer? {
        guard let fields = fields(of: node, path: path) else { return nil }
        let problemsBefore = problems.count
        let name = string(fields["name"], path: "\(path).name")
        if let name {
            if !Self.isValidName(name) {
                fail("\(path).name", "'\(name.prefix(80))' is not [a-z][a-z0-9_]{0,63}")
            } else if EvalMetric.builtIn(named: name) != nil {
                fail("\(path).name", "'\(name)' is a built-in metric")
            }
        }
        guard let kind = string(fields["kind"], path: "\(path).kind") else { return nil }
        guard let allowed = Self.keysByKind[kind] else {
            fail("\(path).kind", "'\(kind.prefix(40))' is not one of \(CustomScorerSet.kinds.joined(separator: ", "))")
            return nil
        }
        for key in fields.keys.sorted() where !allowed.contains(key) && !["name", "kind", "description"].contains(key) {
            fail("\(path).\(key.prefix(64))", "not a key of a \(kind) scorer")
        }
        var summary: String?
        if fields["description"] != nil {
            summary = string(fields["description"], path: "\(path).description")
            if let text = summary, text.count > 500 { fail("\(path).description", "at most 500 characters") }
        }
        let check: CustomScorer.Check?
        switch kind {
        case "contains", "not_contains":
            let ignoreCase = flag(fields["ignore_case"], path: "\(path).ignore_case")
            let value = string(fields["value"], path: "\(path).value")
            if let value, value.isEmpty { fail("\(path).value", "must not be empty") }
            if let value, value.count > CustomScorerSet.valueLengthLimit {
                fail("\(path).value", "at most \(CustomScorerSet.valueLengthLimit) characters")
            }
            check = value.map {
                kind == "contains" ? .contains($0, ignoreCase: ignoreCase) : .notContains($0, ignoreCase: ignoreCase)
            }
        case "regex":
            let ignoreCase = flag(fields["ignore_case"], path: "\(path).ignore_case")
            check = pattern(fields["pattern"], ignoreCase: ignoreCase, path: "\(path).pattern").map { .regex($0) }
        case "json_schema":
            if let schemaNode = fields["schema"] {
                check = schema(schemaNode, path: "\(path).schema", depth: 1).map { .jsonSchema($0) }
            } else {
                fail("\(path).schema", "is required")
                check = nil
            }
        default:
            let prompt = string(fields["prompt"], path: "\(path).prompt")
            if let prompt, !Self.isValidPromptReference(prompt) {
                fail("\(path).prompt", "'\(prompt.prefix(80))' is not a prompt reference (name, name@label or name@version)")
            }
            var threshold = CustomJudge.defaultPassThreshold
            if let thresholdNode = fields["pass_threshold"] {
                if let value = number(thresholdNode), (1...5).contains(value) {
                    threshold = value
                } else {
                    fail("\(path).pass_threshold", "must be a number from 1 to 5")
                }
            }
            check = prompt.map { .judge(CustomJudge(metric: name ?? "", prompt: $0, passThreshold: threshold)) }
        }
        guard problems.count == problemsBefore, let name, let check else { return nil }
        return CustomScorer(name: name, check: check, summary: summary)
    }

    // MARK: Schemas

    static let annotationKeywords: Set<String> = ["title", "description", "$schema", "$id", "$comment", "default", "examples"]

    mutating func schema(_ node: Node, path: String, depth: Int) -> JSONSchemaSubset? {
        guard visit(path) else { return nil }
        guard depth <= JSONSchemaSubset.depthLimit else {
            fail(path, "schemas nest at most \(JSONSchemaSubset.depthLimit) deep")
            return nil
        }
        if case .scalar(let scalar) = node, scalar.tagName == .bool, let accepting = node.bool {
            return JSONSchemaSubset(accepting: accepting)
        }
        guard let fields = fields(of: node, path: path) else { return nil }
        var result = JSONSchemaSubset(accepting: true)
        let problemsBefore = problems.count
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            let keyPath = "\(path).\(key.prefix(64))"
            switch key {
            case "type":
                result.types = types(value, path: keyPath)
            case "properties":
                guard let members = self.fields(of: value, path: keyPath) else { continue }
                for name in members.keys.sorted() {
                    guard let member = members[name] else { continue }
                    if let memberSchema = schema(member, path: "\(keyPath).\(name.prefix(64))", depth: depth + 1) {
                        result.properties[name] = memberSchema
                    }
                }
            case "required":
                result.required = strings(value, path: keyPath)
            case "additionalProperties":
                if case .scalar(let scalar) = value, scalar.tagName == .bool, let allowed = value.bool {
                    result.additionalProperties = allowed
                } else {
                    fail(keyPath, "only true or false is supported")
                }
            case "items":
                if value.sequence != nil {
                    fail(keyPath, "must be one schema (a list of schemas is not supported)")
                } else if let itemSchema = schema(value, path: keyPath, depth: depth + 1) {
                    result.itemSchemas = [itemSchema]
                }
            case "enum":
                guard let sequence = value.sequence, !sequence.isEmpty else {
                    fail(keyPath, "must be a non-empty list")
                    continue
                }
                result.enumValues = sequence.enumerated().compactMap {
                    json($0.element, path: "\(keyPath)[\($0.offset)]", depth: depth + 1)
                }
            case "const":
                result.constValue = json(value, path: keyPath, depth: depth + 1)
            case "minimum", "maximum":
                guard let bound = number(value) else {
                    fail(keyPath, "must be a number")
                    continue
                }
                if key == "minimum" { result.minimum = bound } else { result.maximum = bound }
            case "minLength", "maxLength", "minItems", "maxItems":
                guard case .scalar(let scalar) = value, scalar.tagName == .int, let count = value.int, count >= 0 else {
                    fail(keyPath, "must be a non-negative integer")
                    continue
                }
                switch key {
                case "minLength": result.minLength = count
                case "maxLength": result.maxLength = count
                case "minItems": result.minItems = count
                default: result.maxItems = count
                }
            case "pattern":
                result.pattern = pattern(value, ignoreCase: false, path: keyPath)
            default:
                if !Self.annotationKeywords.contains(key) { fail(keyPath, "unsupported keyword") }
            }
        }
        return problems.count == problemsBefore ? result : nil
    }

    mutating func types(_ node: Node, path: String) -> Set<String>? {
        let names: [String]
        if let sequence = node.sequence {
            names = strings(.sequence(sequence), path: path)
            if names.isEmpty { fail(path, "must name at least one type") }
        } else if let name = string(node, path: path) {
            names = [name]
        } else {
            return nil
        }
        for name in names where !JSONSchemaSubset.typeNames.contains(name) {
            fail(path, "'\(name.prefix(40))' is not one of \(JSONSchemaSubset.typeNames.sorted().joined(separator: ", "))")
        }
        return Set(names)
    }

    /// A YAML value as JSON, for `enum` and `const`.
    mutating func json(_ node: Node, path: String, depth: Int) -> ScorerJSON? {
        guard visit(path) else { return nil }
        guard depth <= JSONSchemaSubset.depthLimit else {
            fail(path, "values nest at most \(JSONSchemaSubset.depthLimit) deep")
            return nil
        }
        switch node {
        case .scalar(let scalar):
            switch scalar.tagName {
            case .null: return .null
            case .bool: return node.bool.map(ScorerJSON.bool)
            case .int, .float:
                guard let value = node.float, value.isFinite else {
                    fail(path, "must be a finite number")
                    return nil
                }
                return .number(value)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var elements: [ScorerJSON] = []
            for (index, element) in sequence.enumerated() {
                guard let value = json(element, path: "\(path)[\(index)]", depth: depth + 1) else { return nil }
                elements.append(value)
            }
            return .array(elements)
        case .mapping:
            guard let members = fields(of: node, path: path) else { return nil }
            var object: [String: ScorerJSON] = [:]
            for name in members.keys.sorted() {
                guard let member = members[name], let value = json(member, path: "\(path).\(name.prefix(64))", depth: depth + 1)
                else {
                    return nil
                }
                object[name] = value
            }
            return .object(object)
        case .alias:
            fail(path, "aliases are not supported")
            return nil
        }
    }

    // MARK: Values

    mutating func visit(_ path: String) -> Bool {
        visitedNodes += 1
        if visitedNodes == Self.nodeLimit + 1 { fail(path, "the YAML has more than \(Self.nodeLimit) values") }
        return visitedNodes <= Self.nodeLimit
    }

    /// A mapping's entries by key; keys must be strings and appear once.
    mutating func fields(of node: Node, path: String) -> [String: Node]? {
        guard let mapping = node.mapping else {
            fail(path, "must be a mapping")
            return nil
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                fail(path, "keys must be strings")
                return nil
            }
            guard fields[scalar.string] == nil else {
                fail("\(path).\(scalar.string.prefix(64))", "appears twice")
                return nil
            }
            fields[scalar.string] = value
        }
        return fields
    }

    /// A scalar's text (numbers too: `value: 2024` is the text "2024"); required when `node` is nil.
    mutating func string(_ node: Node?, path: String) -> String? {
        guard let node else {
            fail(path, "is required")
            return nil
        }
        guard case .scalar(let scalar) = node, scalar.tagName != .null else {
            fail(path, "must be a string")
            return nil
        }
        return scalar.string
    }

    mutating func strings(_ node: Node, path: String) -> [String] {
        guard let sequence = node.sequence else {
            fail(path, "must be a list of strings")
            return []
        }
        return sequence.enumerated().compactMap { string($0.element, path: "\(path)[\($0.offset)]") }
    }

    /// A boolean, false when absent.
    mutating func flag(_ node: Node?, path: String) -> Bool {
        guard let node else { return false }
        guard case .scalar(let scalar) = node, scalar.tagName == .bool, let value = node.bool else {
            fail(path, "must be true or false")
            return false
        }
        return value
    }

    func number(_ node: Node) -> Double? {
        guard case .scalar(let scalar) = node, scalar.tagName == .int || scalar.tagName == .float,
            let value = node.float, value.isFinite
        else { return nil }
        return value
    }

    mutating func pattern(_ node: Node?, ignoreCase: Bool, path: String) -> ScorerPattern? {
        guard let source = string(node, path: path) else { return nil }
        guard !source.isEmpty else {
            fail(path, "must not be empty")
            return nil
        }
        guard source.count <= ScorerPattern.lengthLimit else {
            fail(path, "at most \(ScorerPattern.lengthLimit) characters")
            return nil
        }
        guard let compiled = ScorerPattern(source, ignoreCase: ignoreCase) else {
            fail(path, "'\(source.prefix(80))' is not a valid regular expression")
            return nil
        }
        return compiled
    }

    static func isValidName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, scalars.count <= 64, ("a"..."z").contains(first) else { return false }
        return scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// `name`, `name@label` or `name@version`, with the prompt library's rules for names and labels.
    static func isValidPromptReference(_ reference: String) -> Bool {
        let parts = reference.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard isLibraryWord(parts[0], maxLength: 64) else { return false }
        guard parts.count == 2 else { return true }
        if let version = Int(parts[1]) { return version >= 1 }
        return isLibraryWord(parts[1], maxLength: 32)
    }

    static func isLibraryWord(_ text: String, maxLength: Int) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first, scalars.count <= maxLength,
            ("a"..."z").contains(first) || ("0"..."9").contains(first)
        else { return false }
        return scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
    }
}

extension Node.Scalar {
    /// The tag the resolver gave the scalar (`int`, `bool`, `null`, `str`...).
    fileprivate var tagName: Tag.Name { Tag.Name(rawValue: Node.scalar(self).tag.rawValue) }
}
