import Foundation

extension PillarConfiguration {
    /// The path the provider sends the browser back to; `signIn.redirectURL` must end in it.
    static let signInCallbackPath = "/auth/callback"

    func validate(_ signIn: SignIn, into problems: inout ConfigurationProblems) {
        if !oidc.contains(where: { $0.issuer == signIn.issuer }) {
            problems.add(
                key: "signIn.issuer", "names no oidc entry: add one with this issuer, which gives the claim mapping")
        }
        problems.require(!signIn.clientId.isEmpty, key: "signIn.clientId", "must be present")
        if signIn.clientSecretEnv != nil, signIn.clientSecretFile != nil {
            problems.add(key: "signIn.clientSecretEnv", "give clientSecretEnv or clientSecretFile, not both")
        }
        if let url = URL(string: signIn.redirectURL), isWebURL(signIn.redirectURL) {
            // The session cookie is `Secure`: browsers keep it over HTTPS and, for development, on loopback only.
            if url.scheme?.lowercased() != "https", !Self.isLoopback(url.host ?? "") {
                problems.add(key: "signIn.redirectURL", "must be https (plain http only on localhost)")
            }
            problems.require(
                url.path == Self.signInCallbackPath, key: "signIn.redirectURL",
                "must end in \(Self.signInCallbackPath), where Pillar takes the provider's answer")
        } else {
            problems.add(key: "signIn.redirectURL", "must be an http(s) URL")
        }
        problems.require(signIn.scopes.contains("openid"), key: "signIn.scopes", "must include openid")
        problems.require(
            signIn.scopes.allSatisfy { !$0.isEmpty && !$0.contains(where: { $0 == " " || $0.isNewline }) },
            key: "signIn.scopes", "must be single words")
        problems.require(
            signIn.sessionHours > 0 && signIn.sessionHours <= 720, key: "signIn.sessionHours", "must be above 0, at most 720")
        problems.require(
            signIn.idleMinutes > 0 && signIn.idleMinutes <= signIn.sessionHours * 60, key: "signIn.idleMinutes",
            "must be above 0, at most signIn.sessionHours")
        problems.require(signIn.renewMinutes > 0, key: "signIn.renewMinutes", "must be above 0")
        if let url = signIn.postSignOutURL, !isWebURL(url) {
            problems.add(key: "signIn.postSignOutURL", "must be an http(s) URL")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased())
    }
}

extension PillarConfiguration.SignIn {
    /// The client secret from its variable or file; nil for a public client.
    func clientSecret(environment: [String: String]) throws -> String? {
        if let name = clientSecretEnv {
            guard let value = environment[name], !value.isEmpty else {
                throw ConfigurationError(key: "signIn.clientSecretEnv", "names \(name), which is not set")
            }
            return value
        }
        if let path = clientSecretFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(key: "signIn.clientSecretFile", "cannot be read")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }
}
