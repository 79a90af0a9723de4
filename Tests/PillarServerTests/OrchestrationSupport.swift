import Foundation
import NIOHTTP1
import PillarCore

@testable import PillarServer
@testable import PillarStore

extension PillarClient {
    /// `POST /v1/chat` with Pillar's own body.
    func ask(
        _ message: String, conversation: String? = nil, flow: String? = nil, label: String? = nil,
        stream: Bool = false, key: String = adminKey
    ) async throws -> TestResponse {
        var fields: [String: Any] = ["message": message, "stream": stream]
        if let conversation { fields["conversation_id"] = conversation }
        if let flow { fields["flow"] = flow }
        if let label { fields["label"] = label }
        let body = String(data: try JSONSerialization.data(withJSONObject: fields), encoding: .utf8)!
        return try await request(.POST, "/v1/chat", key: key, body: body)
    }

    /// A new API key of a tenant (created in the server's own database, as `pillar keys create` does).
    func newKey(tenant: String = "default", role: Role = .user) async throws -> String {
        let database = try PillarDatabase(dataDirectory: dataDirectory)
        let issuer = APIKeyIssuer(
            keys: SQLiteAPIKeyRepository(database: database), tenants: SQLiteTenantRepository(database: database))
        return try await issuer.create(tenant: tenant, name: "test \(tenant) \(role.rawValue)", role: role).secret
    }
}

extension TestResponse {
    /// Named server-sent events (`event: NAME` / `data: JSON`), in order.
    var namedEvents: [(name: String, data: [String: Any])] {
        body.components(separatedBy: "\n\n").compactMap { block in
            var name = "message"
            var data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data += line.dropFirst(6) }
            }
            guard !data.isEmpty else { return nil }
            return (name, (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:])
        }
    }
}
