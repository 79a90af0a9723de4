import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import PillarCore

/// Webhook deliveries over the server's shared HTTP client. The response body is read (bounded) and dropped:
/// only the status tells the dispatcher whether to retry.
public struct HTTPWebhookTransport: WebhookTransport {
    let client: HTTPClient

    public init(client: HTTPClient) { self.client = client }

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .milliseconds(max(1, timeout.milliseconds)))
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}
