import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Where `pillar eval` finds the server: runs go through the running server, so that they take the path users'
/// questions take.
struct EvalServerOptions: ParsableArguments {
    @Option(help: "The server's URL (or PILLAR_URL).") var url: String?
    @Option(help: "An admin API key of the tenant (or PILLAR_API_KEY).") var key: String?

    func client() throws -> EvalClient {
        let environment = ProcessInfo.processInfo.environment
        let base = url ?? environment["PILLAR_URL"] ?? "http://127.0.0.1:8080"
        guard let key = key ?? environment["PILLAR_API_KEY"], !key.isEmpty else {
            throw ValidationError("give an admin API key with --key or PILLAR_API_KEY")
        }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw ValidationError("--url must start with http:// or https://")
        }
        return EvalClient(base: base.hasSuffix("/") ? String(base.dropLast()) : base, key: key)
    }
}

/// A server's refusal, as it said it: status, code and message.
struct EvalServerError: Error, CustomStringConvertible {
    var status: Int
    var code: String
    var message: String

    var description: String { "\(code) (HTTP \(status)): \(message)" }
}

/// The few calls `pillar eval` makes, over one HTTP client.
struct EvalClient: Sendable {
    let base: String
    let key: String

    static let maxResponseBytes = 256 * 1024 * 1024

    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String = "application/json") async throws
        -> Data
    {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        } catch {
            throw ValidationError("could not reach the server at \(base): \(error). Is `pillar serve` running there?")
        }
        let bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            struct Envelope: Decodable {
                struct Detail: Decodable {
                    var code: String?
                    var message: String?
                }
                var error: Detail
            }
            let detail = try? JSONDecoder().decode(Envelope.self, from: data).error
            throw EvalServerError(
                status: Int(response.status.code), code: detail?.code ?? "http_\(response.status.code)",
                message: detail?.message ?? String(decoding: data.prefix(500), as: UTF8.self))
        }
        return data
    }

    /// Every item of a list route, following its cursor (`after` = the last item's `id` key) page by page.
    func all<Item: Decodable & Sendable>(_ type: Item.Type, _ path: String, id: (Item) -> String) async throws -> [Item] {
        var items: [Item] = []
        var after: String?
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let cursor = after.map { "&after=\(Self.escape($0))" } ?? ""
            let page = try await json(ListPage<Item>.self, .GET, path + separator + "limit=1000" + cursor)
            items += page.data
            after = page.hasMore ? page.data.last.map(id) : nil
        } while after != nil
        return items
    }

    func json<Value: Decodable>(_ type: Value.Type, _ method: HTTPMethod, _ path: String, body: (any Encodable)? = nil)
        async throws -> Value
    {
        let data = try await send(method, path, body: try body.map { try JSONEncoder().encode($0) })
        return try JSONDecoder().decode(type, from: data)
    }

    static func escape(_ component: String) -> String {
        component.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? component
    }
}

/// One page of a list route: `{"data": […], "has_more": …}`.
struct ListPage<Item: Decodable & Sendable>: Decodable, Sendable {
    var data: [Item]
    var hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
    }
}
