import Foundation
import Hummingbird
import PillarCore

/// The simulator's content classifiers, in the shapes of Azure AI Content Safety (`text:analyze`) and OpenAI's
/// moderation API, so the remote-classifier adapters are tested against real HTTP. They judge by markers a
/// test writes into the text, `sim:CATEGORY:LEVEL` (category hate, sexual, violence or self_harm; level low,
/// medium or high), so a test can tell their verdict from the built-in filter's.
enum SimulatedModeration {
    static let categories = ["hate", "sexual", "violence", "self_harm"]

    static func markedLevels(_ text: String) -> [String: Int] {
        var levels: [String: Int] = [:]
        for word in text.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "." }) where word.hasPrefix("sim:") {
            let parts = word.split(separator: ":").map(String.init)
            guard parts.count == 3, categories.contains(parts[1]) else { continue }
            let level = ["low": 2, "medium": 4, "high": 6][parts[2]] ?? 0
            levels[parts[1]] = max(levels[parts[1]] ?? 0, level)
        }
        return levels
    }

    static func text(of request: Request, field: String) async throws -> String {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let body = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]
        guard let text = body?[field] as? String else {
            throw PillarError.invalidRequest("'\(field)' must be a string", param: field)
        }
        return text
    }

    /// `POST /contentsafety/text:analyze`
    @Sendable static func azure(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let levels = markedLevels(try await text(of: request, field: "text"))
        let names = ["hate": "Hate", "sexual": "Sexual", "violence": "Violence", "self_harm": "SelfHarm"]
        let analysis = categories.map { ["category": names[$0]!, "severity": levels[$0] ?? 0] as [String: Any] }
        return try json(["blocklistsMatch": [Any](), "categoriesAnalysis": analysis])
    }

    /// `POST /v1/moderations`
    @Sendable static func openAI(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let levels = markedLevels(try await text(of: request, field: "input"))
        let score: (Int) -> Double = { [0: 0.01, 2: 0.3, 4: 0.6, 6: 0.95][$0] ?? 0.01 }
        var scores: [String: Double] = [:]
        for (category, name) in [("hate", "hate"), ("sexual", "sexual"), ("violence", "violence"), ("self_harm", "self-harm")] {
            scores[name] = score(levels[category] ?? 0)
        }
        let flagged = scores.values.contains { $0 >= 0.5 }
        return try json([
            "id": "modr-sim", "model": "omni-moderation-latest",
            "results": [
                [
                    "flagged": flagged, "category_scores": scores,
                    "categories": scores.mapValues { $0 >= 0.5 },
                ] as [String: Any]
            ],
        ])
    }

    static func json(_ object: [String: Any]) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))))
    }
}
