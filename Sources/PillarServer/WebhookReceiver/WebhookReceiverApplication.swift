import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PillarMonitoring

/// `pillar monitors listen`: a webhook receiver for trying alerts out, as the simulator is a model for trying
/// the gateway out. It prints one line per alert (when, event, severity, whether the signature holds, summary)
/// and answers 204. With a secret, a delivery whose signature does not hold, or whose timestamp is more than
/// five minutes off, is answered 401, as a real receiver should.
public func buildWebhookReceiverApplication(
    host: String, port: Int, secret: [UInt8]?, logger: Logger,
    print output: @escaping @Sendable (String) -> Void
) -> some ApplicationProtocol {
    let router = Router()
    router.post("**") { request, _ -> Response in
        let body = Array((try await request.body.collect(upTo: 1 << 20)).readableBytesView)
        let event = request.headers[HTTPField.Name(WebhookSignature.eventHeader)!] ?? "?"
        let timestamp = request.headers[HTTPField.Name(WebhookSignature.timestampHeader)!].flatMap { Int($0) }
        let signature = request.headers[HTTPField.Name(WebhookSignature.signatureHeader)!]
        var verdict = "unsigned"
        if let secret {
            let fresh = timestamp.map { abs(Double($0) - Date().timeIntervalSince1970) <= 300 } ?? false
            let holds =
                fresh
                && signature.map {
                    WebhookSignature.verify(body: body, secret: secret, timestamp: timestamp ?? 0, signature: $0)
                } ?? false
            verdict = holds ? "signature ok" : "signature BAD"
            if !holds {
                output("\(ISO8601DateFormatter().string(from: Date()))\t\(event)\trefused: \(verdict)")
                return Response(status: .unauthorized)
            }
        }
        struct Alert: Decodable {
            var severity: String?
            var summary: String?
            var tenant: String?
        }
        let alert = try? JSONDecoder().decode(Alert.self, from: Data(body))
        output(
            "\(ISO8601DateFormatter().string(from: Date()))\t\(event)\t\(alert?.severity ?? "?")\t\(verdict)\t"
                + "tenant \(alert?.tenant ?? "?")\t\(alert?.summary ?? String(decoding: body.prefix(200), as: UTF8.self))")
        return Response(status: .noContent)
    }
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(host, port: port),
            serverName: "pillar-webhook-receiver"),
        logger: logger)
}
