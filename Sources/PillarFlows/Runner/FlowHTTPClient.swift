import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PillarCore

/// The `http` node's tool calls: only to hosts the server allows (checked again on the URL as evaluated), with
/// the node's timeout, and a bounded response.
public struct FlowHTTPClient: Sendable {
    let client: HTTPClient
    let allowedHosts: Set<String>
    static let maxResponseBytes = 1 << 20

    public init(client: HTTPClient, allowedHosts: Set<String>) {
        self.client = client
        self.allowedHosts = allowedHosts
    }

    struct Response: Sendable {
        var status: Int
        var body: JSONValue
    }

    func call(_ step: HTTPStep, snapshot: FlowSnapshot, node: String) async throws -> Response {
        let url = step.url.evaluate(snapshot.resolve).interpolatedText
        guard let components = URLComponents(string: url), let scheme = components.scheme, ["http", "https"].contains(scheme),
              let host = components.host else {
            throw PillarError.invalidRequest("The node '\(node)' built a URL that is not valid.", code: "tool_call_failed")
        }
        let authority = components.port.map { "\(host):\($0)" } ?? host
        guard allowedHosts.contains(authority) || allowedHosts.contains(host) else {
            throw PillarError.permissionDenied("The node '\(node)' may not call \(authority): it is not in flows.allowedHosts.")
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: step.method.rawValue)
        for (name, value) in step.headers.evaluate(snapshot.resolve) { request.headers.add(name: name, value: value.interpolatedText) }
        if let body = step.body?.evaluate(snapshot.resolve) {
            if case .string(let text) = body {
                request.body = .bytes(ByteBuffer(string: text))
            } else {
                request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
                if !request.headers.contains(name: "content-type") { request.headers.add(name: "content-type", value: "application/json") }
            }
        }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(step.timeoutSeconds * 1000)))
            let bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
            let data = Data(bytes.readableBytesView)
            let isJSON = response.headers.first(name: "content-type")?.contains("json") ?? false
            let body = isJSON ? ((try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .string(String(decoding: data, as: UTF8.self)))
                : .string(String(decoding: data, as: UTF8.self))
            return Response(status: Int(response.status.code), body: body)
        } catch let error as PillarError {
            throw error
        } catch {
            throw PillarError.upstream("The node '\(node)' could not call \(authority): \(error)", code: "tool_call_failed")
        }
    }
}
