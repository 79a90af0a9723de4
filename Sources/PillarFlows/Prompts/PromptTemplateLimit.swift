/// How large and how deeply nested a template may be. swift-mustache parses (and renders) sections
/// recursively with no depth limit of its own: a few thousand nested sections overflow the stack and kill
/// the whole server, so a template past these bounds is refused before swift-mustache sees it.
public enum PromptTemplateLimit: String, Sendable, Hashable, Codable {
    case tooLarge = "template_too_large"
    case tooDeep = "template_too_deep"

    /// Far above any prompt written by hand; values (documents, history) come in variables, not the template.
    public static let maximumBytes = 256 * 1024
    /// Real prompts nest sections two or three deep.
    public static let maximumSectionDepth = 32

    /// The error code clients see.
    public var code: String { rawValue }
}
