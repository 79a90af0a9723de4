import PillarCore
import Testing

@testable import PillarFlows

/// swift-mustache parses sections recursively: before the limits, each of these templates overflowed the stack
/// and killed the process running the test (the server, in production).
@Suite struct TemplateLimitTests {
    static func nested(_ depth: Int) -> String {
        String(repeating: "{{#a}}", count: depth) + "x" + String(repeating: "{{/a}}", count: depth)
    }

    static let hostile: [(label: String, source: String)] = [
        ("3,000 nested sections", nested(3_000)),
        ("10,000 unclosed sections", String(repeating: "{{#a}}", count: 10_000)),
        ("10,000 unclosed inverted sections", String(repeating: "{{^a}}", count: 10_000)),
        ("nesting after a change of delimiters", "{{=<% %>=}}" + String(repeating: "<%#a%>", count: 5_000)),
    ]

    @Test(arguments: hostile.map(\.label))
    func deepTemplatesAreRefusedBeforeParsing(_ label: String) {
        let source = Self.hostile.first { $0.label == label }!.source
        do {
            _ = try PromptTemplate(source: source, variables: [PromptVariable(name: "a")])
            Issue.record("accepted")
        } catch {
            #expect(!error.problems.isEmpty)
            if !source.hasPrefix("{{=") {
                #expect(error.limit == .tooDeep, "\(error)")
                #expect(error.problems.first?.message.contains("nested") == true, "\(error)")
            }
        }
    }

    @Test func theDeepestAllowedNestingParsesAndRenders() throws {
        let depth = PromptTemplateLimit.maximumSectionDepth
        let template = try PromptTemplate(source: Self.nested(depth), variables: [PromptVariable(name: "a")])
        #expect(try template.render(["a": .bool(true)]) == "x")

        do {
            _ = try PromptTemplate(source: "line one\n" + Self.nested(depth + 1), variables: [PromptVariable(name: "a")])
            Issue.record("accepted")
        } catch {
            #expect(error.limit == .tooDeep)
            // The section that went one level too deep is named by its place.
            #expect(error.problems.first?.line == 2)
            #expect(error.problems.first?.column == 1 + 6 * depth)
        }
    }

    @Test func hugeTemplatesAreRefused() throws {
        let source = String(repeating: "x", count: PromptTemplateLimit.maximumBytes) + "{{a}}"
        do {
            _ = try PromptTemplate(source: source, variables: [PromptVariable(name: "a")])
            Issue.record("accepted")
        } catch {
            #expect(error.limit == .tooLarge)
        }
        _ = try PromptTemplate(
            source: String(repeating: "x", count: PromptTemplateLimit.maximumBytes - 5) + "{{a}}",
            variables: [PromptVariable(name: "a")])
    }

    @Test func promptsAndFlowsCarryTheLimitsCode() throws {
        let prompt = PromptDefinition(
            variables: [PromptVariable(name: "a")],
            messages: [.init(role: "user", template: Self.nested(3_000))])
        do {
            _ = try CompiledPrompt(prompt)
            Issue.record("accepted")
        } catch {
            #expect(error.code == "template_too_deep", "\(error)")
            #expect(error.kind == .invalidRequest)
        }
        let flow = """
            name: deep
            nodes:
              t:
                kind: template
                template: "\(Self.nested(5_000))"
                variables: {a: "yes"}
            outputs:
              answer: ${t.output}
            """
        do {
            _ = try CompiledFlow(yaml: flow, allowedHosts: [])
            Issue.record("accepted")
        } catch {
            #expect(error.code == "template_too_deep", "\(error)")
            #expect(error.message.contains("node 't'"))
        }
        let large = PromptDefinition(
            variables: [], messages: [.init(role: "system", template: String(repeating: "y", count: 300_000))])
        do {
            _ = try CompiledPrompt(large)
            Issue.record("accepted")
        } catch {
            #expect(error.code == "template_too_large")
        }
    }
}
