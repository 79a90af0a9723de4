import HTTPTypes
import Hummingbird

/// The two cookies of a browser sign-in, both `__Host-` (so `Secure`, `Path=/`, no `Domain`: no sibling host can
/// set or read them), `HttpOnly` (no script reads them) and `SameSite=Lax` (sent when the provider sends the
/// browser back, not on other sites' requests that change something).
enum SessionCookies {
    /// The session id, for the session's lifetime.
    static let session = "__Host-pillar-session"
    /// The `state` of a sign-in under way, for the trip to the provider: the callback must come back to the
    /// browser that started it, or someone else's code could sign this browser in (login CSRF).
    static let signIn = "__Host-pillar-sign-in"

    static func set(_ name: String, _ value: String, maxAgeSeconds: Int) -> String {
        "\(name)=\(value); Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=\(max(0, maxAgeSeconds))"
    }

    static func clear(_ name: String) -> String {
        "\(name)=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
    }

    /// The value of a cookie the request carries; nil when absent. Values Pillar sets are hex, so anything else is
    /// not one of them.
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name else { continue }
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty, value.count <= 128, value.allSatisfy(\.isHexDigit) else { return nil }
                return value
            }
        }
        return nil
    }
}

extension HTTPField.Name {
    static let csrfToken = Self("X-CSRF-Token")!
}
