import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PillarCore

/// The `http` node's tool calls: only to hosts the server allows (checked again on the URL as evaluated), with
/// the node's timeout, and a bounded response.
public struct FlowHTTPClient: Sendable {
    let client: HTTPClient
    let allowedHosts: AllowedHosts
    static let maxResponseBytes = 1 << 20

    /// `client` must not follow redirects: a redirect could lead an allowed host's answer anywhere.
    public init(client: HTTPClient, allowedHosts: Set<String>) {
        self.client = client
        self.allowedHosts = AllowedHosts(allowedHosts)
    }

    /// The URL with every interpolated value percent-encoded, so that a question with spaces, `&` or `#` stays
    /// one value instead of breaking the URL or adding parameters.
    static func url(_ value: FlowValue, resolve: (FlowReference) -> JSONValue?) -> String {
        guard case .interpolation(let parts) = value else { return value.evaluate(resolve).interpolatedText }
        return parts.map { part in
            switch part {
            case .text(let text): return text
            case .reference(let alternatives):
                let text = FlowValue.reference(alternatives).evaluate(resolve).interpolatedText
                return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
            }
        }.joined()
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    struct Response: Sendable {
        var status: Int
        var body: JSONValue
    }

    func call(_ step: HTTPStep, snapshot: FlowSnapshot, node: String) async throws -> Response {
        let url = Self.url(step.url, resolve: snapshot.resolve)
        guard let components = URLComponents(string: url), let scheme = components.scheme, ["http", "https"].contains(scheme),
            let host = components.host
        else {
            throw PillarError.invalidRequest("The node '\(node)' built a URL that is not valid.", code: "tool_call_failed")
        }
        let authority = components.port.map { "\(host):\($0)" } ?? host
        guard components.user == nil, allowedHosts.permits(host: host, port: components.port, scheme: scheme) else {
            throw PillarError.permissionDenied("The node '\(node)' may not call \(authority): it is not in flows.allowedHosts.")
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: step.method.rawValue)
        for (name, value) in step.headers.evaluate(snapshot.resolve) {
            request.headers.add(name: name, value: value.interpolatedText)
        }
        if let body = step.body?.evaluate(snapshot.resolve) {
            if case .string(let text) = body {
                request.body = .bytes(ByteBuffer(string: text))
            } else {
                request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
                if !request.headers.contains(name: "content-type") {
                    request.headers.add(name: "content-type", value: "application/json")
                }
            }
        }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(step.timeoutSeconds * 1000)))
            let bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
            let data = Data(bytes.readableBytesView)
            let isJSON = response.headers.first(name: "content-type")?.contains("json") ?? false
            let body =
                isJSON
                ? ((try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .string(String(decoding: data, as: UTF8.self)))
                : .string(String(decoding: data, as: UTF8.self))
            return Response(status: Int(response.status.code), body: body)
        } catch let error as PillarError {
            throw error
        } catch {
            throw PillarError.upstream("The node '\(node)' could not call \(authority): \(error)", code: "tool_call_failed")
        }
    }
}
