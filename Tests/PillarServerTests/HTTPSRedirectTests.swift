import Hummingbird
import Testing

@testable import PillarServer

/// The redirect port writes the request's host into a Location header: only a host name or an IP address may
/// get there (the whole server is driven over HTTPS by tests/python/test_tls.py).
@Suite struct HTTPSRedirectTests {
    @Test(arguments: [
        ("pillar.example.com", "pillar.example.com"), ("pillar.example.com:8080", "pillar.example.com"),
        ("127.0.0.1:80", "127.0.0.1"), ("[::1]:8080", "[::1]"), ("[2001:db8::1]", "[2001:db8::1]"),
    ])
    func hostsAreKeptWithoutTheirPort(header: String, host: String) {
        #expect(HTTPSRedirectMiddleware<BasicRequestContext>.hostName(header) == host)
    }

    @Test(arguments: ["", "evil.example/x", "a b", "x\r\nSet-Cookie: a=b", "[::1", "[]", "[::1]x", "é.example"])
    func anythingElseIsRefused(header: String) {
        #expect(HTTPSRedirectMiddleware<BasicRequestContext>.hostName(header) == nil)
    }
}

/// The HTML evaluation report inlines plotly.js and its chart code: its policy allows exactly those scripts.
@Suite struct SelfContainedPolicyTests {
    @Test func inlineScriptsAreAllowedByTheirHashOnly() {
        let page = #"<script type="application/json" id="d">{"a":1}</script><script>draw()</script>"#
        let policy = SecurityHeadersMiddleware<BasicRequestContext>.selfContainedPolicy(page)
        // SHA-256 of "draw()", base64.
        #expect(policy.contains("script-src 'sha256-"))
        #expect(policy.components(separatedBy: "'sha256-").count == 2, "only the executable script: \(policy)")
        #expect(!policy.contains("unsafe-inline'; img") || policy.contains("style-src 'unsafe-inline'"))
        #expect(!policy.contains("script-src 'unsafe-inline'"))
        #expect(SecurityHeadersMiddleware<BasicRequestContext>.selfContainedPolicy("<p>x</p>").contains("script-src 'none'"))
    }
}
