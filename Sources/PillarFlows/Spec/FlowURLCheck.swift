/// Checks an http node's url: a literal http(s) scheme and host, and a host on the allow-list.
enum FlowURLCheck {
    static let noHostsMessage = "no hosts are allowed for http nodes; set flows.allowedHosts"

    /// The problem with the url, or nil when it is acceptable.
    static func problem(url: String, allowedHosts: Set<String>) -> String? {
        let lower = url.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") {
            scheme = "https"
        } else if lower.hasPrefix("http://") {
            scheme = "http"
        } else if lower.hasPrefix("${") {
            return "url must start with a literal http:// or https:// scheme and host, not an expression"
        } else {
            return "url must start with http:// or https://"
        }
        let afterScheme = lower.dropFirst(scheme.count + 3)
        let authorityEnd = afterScheme.firstIndex { "/?#".contains($0) } ?? afterScheme.endIndex
        let authority = String(afterScheme[..<authorityEnd])
        if authority.contains("$") || authority.contains("{") || authority.contains("}") {
            return "url host must be literal: no ${...} before the path"
        }
        if authority.isEmpty { return "url has no host" }
        if authority.contains("@") { return "url must not contain user info" }
        guard !allowedHosts.isEmpty else { return noHostsMessage }
        let (host, port) = split(authority)
        if AllowedHosts(allowedHosts).permits(host: host, port: port, scheme: scheme) { return nil }
        return "url host '\(authority)' is not in flows.allowedHosts"
    }

    /// `("example.com", 8080)` of `example.com:8080`, `("::1", nil)` of `[::1]`.
    static func split(_ authority: String) -> (host: String, port: Int?) {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            let host = String(authority[authority.index(after: authority.startIndex)..<end])
            let rest = authority[authority.index(after: end)...]
            return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil)
        }
        if let colon = authority.lastIndex(of: ":") {
            return (String(authority[..<colon]), Int(authority[authority.index(after: colon)...]))
        }
        return (authority, nil)
    }
}

/// `flows.allowedHosts`: an entry `host` allows every port of the host, `host:port` that port only (a URL
/// without a port means 80 for http, 443 for https). Hosts compare without case, IPv6 with or without brackets.
public struct AllowedHosts: Sendable {
    let hosts: Set<String>
    let hostPorts: Set<String>

    public init(_ entries: Set<String>) {
        var hosts = Set<String>()
        var hostPorts = Set<String>()
        for entry in entries {
            let (host, port) = FlowURLCheck.split(entry.lowercased())
            if let port { hostPorts.insert("\(host)|\(port)") } else { hosts.insert(host) }
        }
        self.hosts = hosts
        self.hostPorts = hostPorts
    }

    public func permits(host: String, port: Int?, scheme: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: ["[", "]"])
        let port = port ?? (scheme.lowercased() == "https" ? 443 : 80)
        return hosts.contains(host) || hostPorts.contains("\(host)|\(port)")
    }
}
