import Foundation
import PillarCore

/// A prompt as saved in the library: chat messages whose contents are Mustache templates, the variables they
/// may use (checked when saved), and model parameters. A message with role `history` stands for the
/// conversation's earlier turns, inserted as messages of their own.
public struct PromptDefinition: Sendable, Hashable, Codable {
    public struct Message: Sendable, Hashable, Codable {
        public var role: String
        public var template: String?

        public init(role: String, template: String?) {
            self.role = role
            self.template = template
        }
    }

    public struct Parameters: Sendable, Hashable, Codable {
        public var model: String?
        public var temperature: Double?
        public var maxTokens: Int?
        public var topP: Double?

        public init(model: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil, topP: Double? = nil) {
            self.model = model
            self.temperature = temperature
            self.maxTokens = maxTokens
            self.topP = topP
        }

        enum CodingKeys: String, CodingKey {
            case model, temperature
            case maxTokens = "max_tokens"
            case topP = "top_p"
        }
    }

    public var description: String?
    public var variables: [PromptVariable]
    public var parameters: Parameters
    public var messages: [Message]

    public init(description: String? = nil, variables: [PromptVariable], parameters: Parameters = .init(), messages: [Message]) {
        self.description = description
        self.variables = variables
        self.parameters = parameters
        self.messages = messages
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        variables = try container.decodeIfPresent([PromptVariable].self, forKey: .variables) ?? []
        parameters = try container.decodeIfPresent(Parameters.self, forKey: .parameters) ?? .init()
        messages = try container.decode([Message].self, forKey: .messages)
    }

    static let roles: Set<String> = ["system", "user", "assistant", "history"]

    /// The prompt as a person reads it (and as diffs compare it): description, variables, parameters, then
    /// every message's template with its own line breaks.
    public var readableText: String {
        var lines: [String] = []
        if let description { lines.append("description: \(description)") }
        for variable in variables {
            lines.append(
                "variable \(variable.name)\(variable.required ? "" : " (optional)")"
                    + (variable.description.map { ": \($0)" } ?? ""))
        }
        let parameterText = [
            parameters.model.map { "model=\($0)" }, parameters.temperature.map { "temperature=\($0)" },
            parameters.maxTokens.map { "max_tokens=\($0)" }, parameters.topP.map { "top_p=\($0)" },
        ]
        .compactMap { $0 }.joined(separator: " ")
        if !parameterText.isEmpty { lines.append("parameters: " + parameterText) }
        for message in messages {
            lines.append("=== \(message.role) ===")
            if let template = message.template { lines.append(template) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A prompt checked and ready to render: every template parsed, every variable declared and used.
public struct CompiledPrompt: Sendable {
    public let definition: PromptDefinition
    let templates: [PromptTemplate?]

    /// Checks the definition as the library does when a version is saved.
    public init(_ definition: PromptDefinition) throws(PillarError) {
        var problems: [String] = []
        if definition.messages.isEmpty { problems.append("a prompt needs at least one message") }
        let declared = Set(definition.variables.map(\.name))
        var used: Set<String> = []
        var templates: [PromptTemplate?] = []
        var limit: PromptTemplateLimit?
        for (index, message) in definition.messages.enumerated() {
            guard PromptDefinition.roles.contains(message.role) else {
                problems.append("messages[\(index)]: role must be system, user, assistant or history")
                templates.append(nil)
                continue
            }
            if message.role == "history" {
                if message.template != nil { problems.append("messages[\(index)]: a history message has no template") }
                if !declared.contains("history") {
                    problems.append("messages[\(index)]: declare the variable 'history' to insert it")
                }
                used.insert("history")
                templates.append(nil)
                continue
            }
            guard let source = message.template else {
                problems.append("messages[\(index)]: template is required")
                templates.append(nil)
                continue
            }
            do {
                let template = try PromptTemplate(source: source, variables: definition.variables, requireAllUsed: false)
                used.formUnion(template.usedNames)
                templates.append(template)
            } catch {
                limit = limit ?? error.limit
                problems.append(contentsOf: error.problems.map { "messages[\(index)] line \($0.line): \($0.message)" })
                templates.append(nil)
            }
        }
        for variable in definition.variables where !used.contains(variable.name) {
            problems.append("variable '\(variable.name)' is declared but never used")
        }
        if let temperature = definition.parameters.temperature, !(0...2).contains(temperature) {
            problems.append("parameters.temperature must be between 0 and 2")
        }
        if let maxTokens = definition.parameters.maxTokens, maxTokens < 1 {
            problems.append("parameters.max_tokens must be at least 1")
        }
        guard problems.isEmpty else {
            throw PillarError.invalidRequest(
                "The prompt is not valid: " + problems.joined(separator: "; "),
                code: limit?.code ?? "invalid_prompt")
        }
        self.definition = definition
        self.templates = templates
    }

    /// The chat messages for these values; `history` (an array of {role, content}) becomes messages of its own.
    public func render(_ values: [String: JSONValue]) throws(PillarError) -> [ChatMessage] {
        var messages: [ChatMessage] = []
        for (message, template) in zip(definition.messages, templates) {
            if message.role == "history" {
                guard case .array(let turns)? = values["history"] else { continue }
                for case .object(let turn) in turns {
                    guard case .string(let role)? = turn["role"], role == "user" || role == "assistant",
                        case .string(let content)? = turn["content"]
                    else { continue }
                    messages.append(ChatMessage(role: role, content: content))
                }
                continue
            }
            guard let template else { continue }
            do {
                messages.append(ChatMessage(role: message.role, content: try template.render(values)))
            } catch {
                throw PillarError.invalidRequest("The prompt could not be rendered: \(error)", code: "prompt_render_failed")
            }
        }
        return messages
    }
}
