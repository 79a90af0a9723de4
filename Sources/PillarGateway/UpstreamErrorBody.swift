import Foundation
import PillarCore

/// What an upstream said of an error: OpenAI's `{"error": {"message", "type", "code"}}`, llama.cpp's bare
/// `{"code", "message", "type"}`, or the first bytes of whatever else it sent.
struct UpstreamErrorBody: Sendable, Hashable {
    var message: String?
    var type: String?
    /// An HTTP status given as the error's code (llama.cpp's 500, 501…); OpenAI's string codes are not one.
    var code: Int?

    init?(_ data: Data) {
        guard !data.isEmpty else { return nil }
        guard case .object(var fields)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            message = String(String(decoding: data.prefix(500), as: UTF8.self))
            return
        }
        if case .object(let inner)? = fields["error"] { fields = inner }
        message = (fields["message"]?.stringValue ?? fields["error"]?.stringValue).map { String($0.prefix(500)) }
        type = fields["type"]?.stringValue.map { String($0.prefix(100)) }
        if case .number(let number)? = fields["code"], (100...599).contains(number) { code = Int(number) }
    }
}
