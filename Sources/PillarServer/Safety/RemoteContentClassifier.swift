import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PillarCore
import PillarSafety

/// A hosted content classifier in place of, or beside, the built-in filter: Azure AI Content Safety's
/// `text:analyze` (four severity levels) or OpenAI's moderation API (scores mapped to severities).
struct RemoteContentClassifier: Sendable {
    typealias Kind = PillarConfiguration.RemoteClassifier.Kind
    typealias Mode = PillarConfiguration.RemoteClassifier.Mode

    let kind: Kind
    let endpoint: String
    let apiKey: String
    let model: String
    let mode: Mode
    let timeout: TimeAmount
    let failOpen: Bool
    let client: HTTPClient

    /// The configured classifier, or nil without one; its key must be in the environment variable named.
    init?(_ configuration: PillarConfiguration.RemoteClassifier?, environment: [String: String], client: HTTPClient) throws {
        guard let configuration else { return nil }
        guard let key = environment[configuration.apiKeyEnv], !key.isEmpty else {
            throw ConfigurationError(
                key: "safety.remoteClassifier.apiKeyEnv", "the environment variable \(configuration.apiKeyEnv) holds no key")
        }
        self.init(
            kind: configuration.kind, endpoint: configuration.endpoint, apiKey: key,
            model: configuration.model, mode: configuration.mode,
            timeout: .milliseconds(Int64(configuration.timeoutSeconds * 1000)), failOpen: configuration.failOpen,
            client: client)
    }

    init(
        kind: Kind, endpoint: String, apiKey: String, model: String, mode: Mode, timeout: TimeAmount, failOpen: Bool,
        client: HTTPClient
    ) {
        self.kind = kind
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.model = model
        self.mode = mode
        self.timeout = timeout
        self.failOpen = failOpen
        self.client = client
    }

    /// Azure's `text:analyze` takes at most 10,000 characters: longer texts go in pieces, the worst verdict wins.
    static let maxCharacters = 10_000

    func classify(_ text: String) async throws -> ContentVerdict {
        do {
            var verdict = ContentVerdict()
            var rest = Substring(text)
            repeat {
                let piece = String(rest.prefix(Self.maxCharacters))
                rest = rest.dropFirst(Self.maxCharacters)
                let part = kind == .azure ? try await azure(piece) : try await openAI(piece)
                verdict = verdict.merged(with: part, only: Set(HarmCategory.allCases))
            } while !rest.isEmpty
            return verdict
        } catch {
            // Unreachable classifier: let the text through only when configured to.
            if failOpen { return ContentVerdict() }
            throw PillarError.unavailable(
                "The content classifier did not answer (\(kind.rawValue)); try again shortly.",
                retryAfterSeconds: 5)
        }
    }

    private func post(_ url: String, headers: [(String, String)], body: [String: Any]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code),
            let json = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]
        else {
            throw PillarError.upstream("content classifier answered \(response.status.code)")
        }
        return json
    }

    private func azure(_ text: String) async throws -> ContentVerdict {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        let json = try await post(
            base + "/contentsafety/text:analyze?api-version=2024-09-01",
            headers: [("Ocp-Apim-Subscription-Key", apiKey)],
            body: [
                "text": text, "categories": ["Hate", "Sexual", "Violence", "SelfHarm"],
                "outputType": "FourSeverityLevels",
            ])
        var severities: [HarmCategory: Severity] = [:]
        for entry in json["categoriesAnalysis"] as? [[String: Any]] ?? [] {
            let category: HarmCategory? =
                switch entry["category"] as? String {
                case "Hate": .hate
                case "Sexual": .sexual
                case "Violence": .violence
                case "SelfHarm": .selfHarm
                default: nil
                }
            if let category, let level = entry["severity"] as? Int {
                severities[category] = Severity(rawValue: min(6, level / 2 * 2)) ?? .high
            }
        }
        return ContentVerdict(severities: severities, findings: [])
    }

    private func openAI(_ text: String) async throws -> ContentVerdict {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        let json = try await post(
            base + "/moderations", headers: [("Authorization", "Bearer \(apiKey)")],
            body: ["model": model, "input": text])
        guard let result = (json["results"] as? [[String: Any]])?.first,
            let scores = result["category_scores"] as? [String: Double]
        else {
            throw PillarError.upstream("moderation answer without results")
        }
        var severities: [HarmCategory: Severity] = [:]
        for (name, score) in scores {
            let category: HarmCategory? =
                switch name.split(separator: "/").first.map(String.init) {
                case "hate", "harassment": .hate
                case "sexual": .sexual
                case "violence": .violence
                case "self-harm": .selfHarm
                default: nil
                }
            guard let category else { continue }
            var severity = Self.severity(score: score)
            // Intent, instructions, threats and minors are the worst of their kind.
            if severity > .safe,
                ["self-harm/intent", "self-harm/instructions", "hate/threatening", "sexual/minors"].contains(name)
            {
                severity = .high
            }
            severities[category] = max(severities[category] ?? .safe, severity)
        }
        return ContentVerdict(severities: severities, findings: [])
    }

    static func severity(score: Double) -> Severity {
        switch score {
        case 0.8...: .high
        case 0.5..<0.8: .medium
        case 0.2..<0.5: .low
        default: .safe
        }
    }
}
