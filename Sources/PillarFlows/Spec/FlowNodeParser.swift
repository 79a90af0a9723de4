import Foundation
import PillarCore
import Yams

/// Parses one entry of `nodes:` into a FlowNode (dependencies are filled in by the graph check).
struct FlowNodeParser {
    let reader: FlowYAMLReader
    let allowedHosts: Set<String>

    static let commonKeys: Set<String> = ["kind", "when", "stream"]
    static let keysByKind: [String: Set<String>] = [
        "llm": ["prompt", "variables", "model", "max_tokens", "temperature"],
        "retrieve": ["query", "top_k", "mode", "min_similarity"],
        "template": ["template", "variables"],
        "guard": ["input", "checks", "on_fail"],
        "route": ["routes", "default"],
        "http": ["method", "url", "headers", "body", "timeout_seconds"],
    ]
    static let requiredByKind: [String: [String]] = [
        "llm": ["prompt"], "retrieve": ["query"], "template": ["template"],
        "guard": ["input", "checks"], "route": ["routes", "default"], "http": ["url"],
    ]

    /// Returns nil when the node is too broken to build; issues are recorded on the reader.
    func parse(name: String, keyNode: Node, body: Node) -> (node: FlowNode, sites: [FlowReferenceSite])? {
        _ = reader.takeSites()
        let what = "node '\(name)'"
        guard let entries = reader.entries(body, what: what) else { return nil }
        var fields: [String: Node] = [:]
        for entry in entries { fields[entry.key] = entry.value }
        guard let kindNode = fields["kind"] else {
            reader.issue(keyNode, "\(what) is missing required key 'kind'")
            return nil
        }
        guard let kind = reader.text(kindNode), let allowed = Self.keysByKind[kind] else {
            reader.issue(
                kindNode,
                "\(what) has unknown kind '\(reader.text(kindNode) ?? "?")' (expected one of \(FlowNode.Kind.allNames.joined(separator: ", ")))"
            )
            return nil
        }
        for entry in entries where !Self.commonKeys.contains(entry.key) && !allowed.contains(entry.key) {
            reader.issue(entry.keyNode, "\(what) (\(kind)) has unknown key '\(entry.key)'")
        }
        var missing = false
        for key in Self.requiredByKind[kind] ?? [] where fields[key] == nil {
            reader.issue(keyNode, "\(what) (\(kind)) is missing required key '\(key)'")
            missing = true
        }
        let when = fields["when"].flatMap { reader.condition($0, field: "\(what) when") }
        var stream = false
        if let streamNode = fields["stream"], let value = reader.bool(streamNode, field: "\(what) stream") {
            stream = value
            if value && kind != "llm" {
                reader.issue(streamNode, "\(what) cannot stream: only llm nodes may have stream: true")
            }
        }
        guard !missing else { return nil }
        let step: FlowNode.Kind?
        switch kind {
        case "llm": step = llm(fields, what: what, stream: stream)
        case "retrieve": step = retrieve(fields, what: what)
        case "template": step = template(fields, what: what)
        case "guard": step = guardrail(fields, what: what)
        case "route": step = route(fields, what: what)
        default: step = http(fields, what: what)
        }
        guard let step else { return nil }
        let node = FlowNode(
            name: name, line: reader.line(keyNode), kind: step, when: when,
            dependencies: [], requiredDependencies: [], routedFrom: [])
        return (node, reader.takeSites())
    }

    private func llm(_ f: [String: Node], what: String, stream: Bool) -> FlowNode.Kind? {
        guard let promptNode = f["prompt"], let prompt = reader.string(promptNode, field: "\(what) prompt") else { return nil }
        if prompt.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9._-]+)?$"#, options: .regularExpression) == nil {
            reader.issue(promptNode, "\(what) prompt must be a prompt name, optionally name@label, got '\(prompt)'")
        }
        let variables = f["variables"].flatMap { reader.fields($0, field: "\(what) variables") } ?? []
        let model = f["model"].flatMap { reader.string($0, field: "\(what) model") }
        let maxTokens = f["max_tokens"].flatMap { reader.int($0, field: "\(what) max_tokens", range: 1...1_000_000) }
        var temperature = f["temperature"].flatMap { reader.number($0, field: "\(what) temperature") }
        if let value = temperature, !(0...2).contains(value), let node = f["temperature"] {
            reader.issue(node, "\(what) temperature must be between 0 and 2")
            temperature = nil
        }
        return .llm(
            LLMStep(
                prompt: prompt, variables: variables, model: model, maxTokens: maxTokens,
                temperature: temperature, stream: stream))
    }

    private func retrieve(_ f: [String: Node], what: String) -> FlowNode.Kind? {
        guard let query = f["query"].flatMap({ reader.value($0, field: "\(what) query") }) else { return nil }
        let topK = f["top_k"].flatMap { reader.int($0, field: "\(what) top_k", range: RetrieveStep.topKRange) }
        let mode = f["mode"].flatMap { reader.choice($0, field: "\(what) mode", as: RetrieveStep.Mode.self) }
        var minSimilarity = f["min_similarity"].flatMap { reader.number($0, field: "\(what) min_similarity") }
        if let value = minSimilarity, !(0...1).contains(value), let node = f["min_similarity"] {
            reader.issue(node, "\(what) min_similarity must be between 0 and 1")
            minSimilarity = nil
        }
        return .retrieve(
            RetrieveStep(
                query: query, topK: topK ?? RetrieveStep.defaultTopK, mode: mode ?? .hybrid,
                minSimilarity: minSimilarity))
    }

    private func template(_ f: [String: Node], what: String) -> FlowNode.Kind? {
        guard let node = f["template"], let text = reader.string(node, field: "\(what) template") else { return nil }
        if let problem = Self.mustacheBraceProblem(text) {
            reader.issue(node, "\(what) template is not valid Mustache: \(problem)")
        }
        let variables = f["variables"].flatMap { reader.fields($0, field: "\(what) variables") } ?? []
        return .template(TemplateStep(template: text, variables: variables))
    }

    /// Checks that every `{{` is closed by `}}` before the next `{{` (full parsing needs swift-mustache).
    static func mustacheBraceProblem(_ text: String) -> String? {
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else { return "'{{' is never closed" }
            if let nested = after.range(of: "{{"), nested.lowerBound < close.lowerBound {
                return "'{{' opened again before '}}'"
            }
            rest = after[close.upperBound...]
        }
        if rest.contains("}}") { return "'}}' without '{{'" }
        return nil
    }

    private func guardrail(_ f: [String: Node], what: String) -> FlowNode.Kind? {
        guard let input = f["input"].flatMap({ reader.value($0, field: "\(what) input") }),
            let checksNode = f["checks"]
        else { return nil }
        guard case .sequence(let sequence) = checksNode, !sequence.isEmpty else {
            reader.issue(checksNode, "\(what) checks must be a non-empty list")
            return nil
        }
        let checks = sequence.compactMap { check($0, what: what) }
        let onFail = f["on_fail"].flatMap { reader.choice($0, field: "\(what) on_fail", as: GuardStep.OnFail.self) }
        return .guardrail(GuardStep(input: input, checks: checks, onFail: onFail ?? .block))
    }

    private func check(_ node: Node, what: String) -> GuardStep.Check? {
        let known =
            "not_empty, content_filter, jailbreak, pii, {max_chars: N}, {min_chars: N}, {blocklist: [...]}, {pattern: REGEX}"
        if case .scalar = node {
            switch reader.text(node) {
            case "not_empty": return .notEmpty
            case "content_filter": return .contentFilter
            case "jailbreak": return .jailbreak
            case "pii": return .personalData
            default: break
            }
            reader.issue(node, "\(what) has unknown check '\(reader.text(node) ?? "")' (expected \(known))")
            return nil
        }
        guard let entries = reader.entries(node, what: "\(what) check"), entries.count == 1, let entry = entries.first else {
            reader.issue(node, "\(what) check must be one of \(known)")
            return nil
        }
        let field = "\(what) \(entry.key)"
        switch entry.key {
        case "max_chars": return reader.int(entry.value, field: field, range: 1...10_000_000).map { .maxChars($0) }
        case "min_chars": return reader.int(entry.value, field: field, range: 0...10_000_000).map { .minChars($0) }
        case "blocklist":
            guard case .sequence(let words) = entry.value, !words.isEmpty else {
                reader.issue(entry.value, "\(field) must be a non-empty list of strings")
                return nil
            }
            let strings = words.compactMap { reader.string($0, field: field) }
            return strings.count == words.count ? .blocklist(strings) : nil
        case "pattern":
            guard let pattern = reader.string(entry.value, field: field) else { return nil }
            if (try? NSRegularExpression(pattern: pattern)) == nil {
                reader.issue(entry.value, "\(field) is not a valid regular expression")
                return nil
            }
            return .pattern(pattern)
        default:
            reader.issue(entry.keyNode, "\(what) has unknown check '\(entry.key)' (expected \(known))")
            return nil
        }
    }

    private func route(_ f: [String: Node], what: String) -> FlowNode.Kind? {
        guard let routesNode = f["routes"], let defaultNode = f["default"] else { return nil }
        guard case .sequence(let sequence) = routesNode else {
            reader.issue(routesNode, "\(what) routes must be a list of {when, to}")
            return nil
        }
        var routes: [RouteStep.Route] = []
        for item in sequence {
            guard let entries = reader.entries(item, what: "\(what) route") else { continue }
            var fields: [String: Node] = [:]
            for entry in entries {
                if entry.key == "when" || entry.key == "to" {
                    fields[entry.key] = entry.value
                } else {
                    reader.issue(entry.keyNode, "\(what) route has unknown key '\(entry.key)'")
                }
            }
            guard let whenNode = fields["when"], let toNode = fields["to"] else {
                reader.issue(item, "\(what) route needs both 'when' and 'to'")
                continue
            }
            if let condition = reader.condition(whenNode, field: "\(what) route when"),
                let target = reader.string(toNode, field: "\(what) route to")
            {
                routes.append(RouteStep.Route(condition: condition, target: target, line: reader.line(toNode)))
            }
        }
        guard let target = reader.string(defaultNode, field: "\(what) default") else { return nil }
        return .route(RouteStep(routes: routes, defaultTarget: target))
    }

    private func http(_ f: [String: Node], what: String) -> FlowNode.Kind? {
        let method = f["method"].flatMap { reader.choice($0, field: "\(what) method", as: HTTPStep.Method.self) }
        guard let urlNode = f["url"], let urlText = reader.string(urlNode, field: "\(what) url") else { return nil }
        if let problem = FlowURLCheck.problem(url: urlText, allowedHosts: allowedHosts) {
            reader.issue(urlNode, "\(what) \(problem)")
        }
        guard let url = reader.value(urlNode, field: "\(what) url") else { return nil }
        let headers = f["headers"].flatMap { reader.fields($0, field: "\(what) headers") } ?? []
        let body = f["body"].flatMap { reader.value($0, field: "\(what) body") }
        var timeout = HTTPStep.defaultTimeoutSeconds
        if let node = f["timeout_seconds"], let value = reader.number(node, field: "\(what) timeout_seconds") {
            if value > 0 && value <= HTTPStep.maxTimeoutSeconds {
                timeout = value
            } else {
                reader.issue(node, "\(what) timeout_seconds must be > 0 and <= 60")
            }
        }
        return .http(HTTPStep(method: method ?? .GET, url: url, headers: headers, body: body, timeoutSeconds: timeout))
    }
}
