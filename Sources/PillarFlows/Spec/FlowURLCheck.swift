/// Checks an http node's url: a literal http(s) scheme and host, and a host on the allow-list.
enum FlowURLCheck {
    static let noHostsMessage = "no hosts are allowed for http nodes; set flows.allowedHosts"

    /// The problem with the url, or nil when it is acceptable.
    static func problem(url: String, allowedHosts: Set<String>) -> String? {
        let lower = url.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https://" }
        else if lower.hasPrefix("http://") { scheme = "http://" }
        else if lower.hasPrefix("${") { return "url must start with a literal http:// or https:// scheme and host, not an expression" }
        else { return "url must start with http:// or https://" }
        let afterScheme = lower.dropFirst(scheme.count)
        let authorityEnd = afterScheme.firstIndex { "/?#".contains($0) } ?? afterScheme.endIndex
        let authority = String(afterScheme[..<authorityEnd])
        if authority.contains("$") || authority.contains("{") || authority.contains("}") {
            return "url host must be literal: no ${...} before the path"
        }
        if authority.isEmpty { return "url has no host" }
        if authority.contains("@") { return "url must not contain user info" }
        guard !allowedHosts.isEmpty else { return noHostsMessage }
        let allowed = Set(allowedHosts.map { $0.lowercased() })
        if allowed.contains(authority) || allowed.contains(host(of: authority)) { return nil }
        return "url host '\(authority)' is not in flows.allowedHosts"
    }

    /// `example.com` of `example.com:8080`, `[::1]` of `[::1]:80`.
    static func host(of authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[...end])
        }
        if let colon = authority.lastIndex(of: ":") { return String(authority[..<colon]) }
        return authority
    }
}
