import NIOHTTP1
import Testing

@testable import PillarServer

@Suite struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var body: String
        var contentType: String? = "application/json"
        var status: Int
        var code: String
        var param: String? = nil
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", body: #"{"model": "sim", "messages": [}"#, status: 400, code: "invalid_json"),
        Case(name: "not an object", body: #"[1, 2]"#, status: 400, code: "invalid_json"),
        Case(name: "wrong type", body: #"{"model": 42, "messages": []}"#, status: 400, code: "invalid_field", param: "model"),
        Case(name: "missing messages", body: #"{"model": "sim"}"#, status: 400, code: "invalid_field", param: "messages"),
        Case(
            name: "missing role", body: #"{"model": "sim", "messages": [{"content": "x"}]}"#, status: 400, code: "invalid_field",
            param: "messages[0].role"),
        Case(
            name: "empty messages", body: #"{"model": "sim", "messages": []}"#, status: 400, code: "invalid_request",
            param: "messages"),
        Case(
            name: "unknown role", body: #"{"model": "sim", "messages": [{"role": "wizard", "content": "x"}]}"#, status: 400,
            code: "invalid_request", param: "messages[0].role"),
        Case(
            name: "bad temperature", body: #"{"model": "sim", "temperature": 9, "messages": [{"role": "user", "content": "x"}]}"#,
            status: 400, code: "invalid_request", param: "temperature"),
        Case(
            name: "zero max_tokens", body: #"{"model": "sim", "max_tokens": 0, "messages": [{"role": "user", "content": "x"}]}"#,
            status: 400, code: "invalid_request", param: "max_tokens"),
        Case(
            name: "unknown model", body: #"{"model": "nope", "messages": [{"role": "user", "content": "x"}]}"#, status: 404,
            code: "model_not_found", param: "model"),
        Case(name: "empty body", body: "", status: 400, code: "empty_body"),
        Case(
            name: "form body", body: "model=sim", contentType: "application/x-www-form-urlencoded", status: 415,
            code: "unsupported_media_type"),
        Case(
            name: "too large",
            body: #"{"model": "sim", "messages": [{"role": "user", "content": ""# + String(repeating: "x", count: 5000)
                + #""}]}"#, status: 413, code: "payload_too_large"),
    ]

    @Test(arguments: cases)
    func refusedWithAClearError(_ testCase: Case) async throws {
        try await withSimulator { port in
            try await withPillar(
                deployments: [simulatorDeployment("sim", port: port)], configure: { $0.server.maxBodyBytes = 4096 }
            ) { pillar in
                let response = try await pillar.request(
                    .POST, "/v1/chat/completions", body: testCase.body, contentType: testCase.contentType)
                #expect(response.status == testCase.status)
                #expect(response.errorCode == testCase.code)
                let error = response.json["error"] as? [String: Any]
                #expect((error?["message"] as? String)?.isEmpty == false)
                #expect(error?["param"] as? String == testCase.param)
            }
        }
    }

    @Test func unknownRoutesAndMethodsAnswerInTheSameErrorFormat() async throws {
        try await withPillar { pillar in
            let missing = try await pillar.request(.GET, "/v1/nothing-here")
            #expect(missing.status == 404)
            #expect(missing.errorCode == "not_found")
        }
    }
}
