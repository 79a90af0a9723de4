import Foundation
import Testing

@testable import PillarFlows

/// Flow documents come from admins over HTTP: no shape of YAML may crash the parser, blow up in memory or
/// take long. Each case must be refused with an issue, quickly.
@Suite struct FlowYAMLLimitTests {
    static func flow(inputDefault: String) -> String {
        """
        name: hostile
        inputs:
          q: {type: object, default: \(inputDefault)}
        nodes:
          a: {kind: template, template: "hi"}
        outputs:
          answer: ${a.output}
        """
    }

    static func refusal(_ yaml: String) -> String? {
        do {
            _ = try FlowSpec.parse(yaml: yaml, allowedHosts: [])
            return nil
        } catch {
            return error.description
        }
    }

    @Test func flowCollectionsNestedThousandsDeepAreRefused() throws {
        let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        let message = try #require(Self.refusal(Self.flow(inputDefault: "{a: \(deep)}")))
        #expect(message.contains("invalid YAML") || message.contains("levels deep"), "\(message)")
    }

    @Test func blockMappingsNestedDeeperThanTheLimitAreRefused() throws {
        // 900 levels: under libyaml's own limit (1,000), so only Pillar's bound stops it.
        var lines = ["name: hostile", "inputs:", "  q:", "    type: object", "    default:"]
        for level in 0..<900 { lines.append(String(repeating: " ", count: 6 + level) + "k:") }
        lines.append(String(repeating: " ", count: 906) + "v")
        lines += ["nodes:", "  a: {kind: template, template: \"hi\"}", "outputs:", "  answer: ${a.output}"]
        let message = try #require(Self.refusal(lines.joined(separator: "\n")))
        #expect(message.contains("levels deep"), "\(message)")
    }

    @Test func moderateNestingIsStillAccepted() throws {
        let value = String(repeating: "{k: ", count: 40) + "1" + String(repeating: "}", count: 40)
        _ = try FlowSpec.parse(yaml: Self.flow(inputDefault: value), allowedHosts: [])
    }

    @Test func aliasExpansionIsRefused() throws {
        // Nine levels of ten aliases each: a billion leaves from a few hundred bytes.
        var lines = ["name: hostile", "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("x\(level): &a\(level) [\(refs)]")
        }
        lines += ["nodes:", "  a: {kind: template, template: \"hi\"}", "outputs:", "  answer: ${a.output}"]
        let started = ContinuousClock.now
        let message = try #require(Self.refusal(lines.joined(separator: "\n")))
        #expect(message.contains("expands to more than"), "\(message)")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func hugeConditionsAreRefusedInLinearTime() throws {
        // The condition parser is a flat tokenizer: a long run of operators or operands is an error, not a stack.
        let operands = Array(repeating: "${a.output} ==", count: 50_000).joined(separator: " ") + " 1"
        let brackets = String(repeating: "(", count: 100_000)
        let started = ContinuousClock.now
        for condition in [operands, brackets] {
            guard case .failure = FlowCondition.parse(condition) else {
                Issue.record("accepted")
                continue
            }
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
