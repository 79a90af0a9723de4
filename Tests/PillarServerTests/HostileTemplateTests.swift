import Foundation
import Testing

@testable import PillarServer

/// The prompts and flows that crashed the server (SIGSEGV in swift-mustache's recursive parser) are answered
/// 400 with the limit's code, and the same server goes on answering.
@Suite struct HostileTemplateTests {
    static func nested(_ depth: Int) -> String {
        String(repeating: "{{#a}}", count: depth) + "x" + String(repeating: "{{/a}}", count: depth)
    }

    static func promptBody(_ template: String) throws -> String {
        let body: [String: Any] = [
            "name": "hostile",
            "prompt": [
                "variables": [["name": "a"]], "messages": [["role": "user", "template": template]],
            ],
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    @Test func deepAndHugeTemplatesAreRefusedAndTheServerLives() async throws {
        try await withRetrievalPillar { pillar in
            let prompts: [(String, String)] = [
                (Self.nested(3_000), "template_too_deep"),
                (String(repeating: "{{#a}}", count: 10_000), "template_too_deep"),
                (String(repeating: "{{^a}}", count: 10_000) + "x", "template_too_deep"),
                (String(repeating: "x", count: 300_000) + "{{a}}", "template_too_large"),
            ]
            for (template, code) in prompts {
                let response = try await pillar.request(.POST, "/v1/admin/prompts", body: try Self.promptBody(template))
                #expect(response.status == 400, "\(response.body.prefix(300))")
                #expect(response.errorCode == code, "\(response.body.prefix(300))")
            }
            // The flow in YAML's flow style, as a JSON body.
            let flow =
                #"{"yaml": "name: deep\nnodes: {t: {kind: template, variables: {a: hi}, template: '"#
                + Self.nested(5_000) + #"'}}\noutputs: {answer: ${t.output}}\n"}"#
            let refused = try await pillar.request(.POST, "/v1/admin/flows", body: flow)
            #expect(refused.status == 400)
            #expect(refused.errorCode == "template_too_deep", "\(refused.body.prefix(300))")
            let deepYAML = "name: deep\nnodes: " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
            let yaml = try await pillar.request(.POST, "/v1/admin/flows", body: deepYAML, contentType: "application/yaml")
            #expect(yaml.status == 400)
            #expect(yaml.errorCode == "invalid_flow")

            // Within the limits, the same server saves and keeps serving.
            let saved = try await pillar.request(.POST, "/v1/admin/prompts", body: try Self.promptBody(Self.nested(3)))
            #expect(saved.status == 201, "\(saved.body)")
            #expect(try await pillar.request(.GET, "/healthz", key: nil).status == 200)
        }
    }
}
