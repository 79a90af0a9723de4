import Foundation
import Testing

@testable import PillarServer

/// What a client can do to the server below the routes: paths with control characters, requests the HTTP
/// parser refuses, slow clients, many connections from one address. Over real sockets.
@Suite struct ConnectionHardeningTests {
    @Test func controlCharactersInPathsAreRefusedBeforeAnyFileLookup() async throws {
        try await withPillar { pillar in
            #expect(try await pillar.request(.GET, "/app.js", key: nil).status == 200)
            // Over a raw socket: HTTP clients normalise some of these paths before sending them.
            for path in [
                "/app.js%00.html", "/app.js%00", "/%01index.html", "/index.html%0D%0AX-Injected:%20yes",
                "/style.css%7F", "/v1/documents/doc%00x", "/%FF%FE",
            ] {
                let response = try await onThread {
                    let connection = try RawConnection(port: pillar.port)
                    defer { connection.close() }
                    connection.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
                    return connection.readResponse()
                }
                let refused = try #require(response, "\(path): no response")
                #expect(refused.status == 400, "\(path): \(refused.status) \(refused.headers["content-type"] ?? "")")
                #expect(refused.errorCode == "invalid_path", "\(path): \(refused.body)")
                #expect(refused.headers["content-type"] == "application/json")
            }
        }
    }

    @Test func requestsTheHTTPParserRefusesAreAnsweredInJSON() async throws {
        try await withPillar { pillar in
            let huge = String(repeating: "a", count: 100_000)
            let requests: [(String, String)] = [
                ("oversized header", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(huge)\r\n\r\n"),
                ("oversized URL", "GET /healthz?\(huge) HTTP/1.1\r\nHost: x\r\n\r\n"),
                (
                    "too many headers",
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-A: b\r\n", count: 2_000) + "\r\n"
                ),
                ("not HTTP", "HELLO THERE\r\n\r\n"),
                ("bad content length", "POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n"),
            ]
            for (label, raw) in requests {
                let response = try await onThread {
                    let connection = try RawConnection(port: pillar.port)
                    defer { connection.close() }
                    connection.send(raw)
                    return connection.readResponse()
                }
                let answer = try #require(response, "\(label): no response")
                #expect(answer.status == 400, "\(label)")
                #expect(answer.headers["content-type"] == "application/json", "\(label)")
                #expect(
                    ["request_headers_too_large", "malformed_request"].contains(answer.errorCode ?? ""),
                    "\(label): \(answer.body)")
            }
            // The server is still there.
            #expect(try await pillar.request(.GET, "/healthz", key: nil).status == 200)
        }
    }

    @Test func aHeadSentAByteAtATimeIsCutOffAtTheReadTimeout() async throws {
        try await withPillar(configure: { $0.server.readTimeoutSeconds = 1 }) { pillar in
            let (closed, elapsed) = try await onThread {
                let connection = try RawConnection(port: pillar.port)
                defer { connection.close() }
                let started = ContinuousClock.now
                let head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + String(repeating: "a", count: 100)
                for character in head {
                    guard connection.send(String(character)), !connection.closedByPeer(within: .milliseconds(100)) else {
                        return (true, ContinuousClock.now - started)
                    }
                }
                return (false, ContinuousClock.now - started)
            }
            #expect(closed, "a head trickling in for \(elapsed) was never cut off")
            #expect(elapsed < .seconds(5))
        }
    }

    @Test func aBodySentAByteAtATimeGetsA408AtTheReadTimeout() async throws {
        try await withPillar(configure: { $0.server.readTimeoutSeconds = 1 }) { pillar in
            let (response, elapsed) = try await onThread {
                let connection = try RawConnection(port: pillar.port)
                defer { connection.close() }
                let started = ContinuousClock.now
                connection.send(
                    "POST /v1/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(adminKey)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{")
                for _ in 0..<100 {
                    guard connection.send(" ") else { break }
                    let (data, closed) = connection.read(timeout: .milliseconds(100))
                    if !data.isEmpty || closed {
                        let rest = connection.read(timeout: .seconds(2)).data
                        return (RawResponse(data: data + rest, requireWholeBody: false), ContinuousClock.now - started)
                    }
                }
                return (nil, ContinuousClock.now - started)
            }
            let answer = try #require(response, "a body trickling in for \(elapsed) was never cut off")
            #expect(answer.status == 408)
            #expect(answer.errorCode == "request_timeout", "\(answer.body)")
            #expect(elapsed < .seconds(5))
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAtTheIdleTimeout() async throws {
        try await withPillar(configure: { $0.server.idleTimeoutSeconds = 1 }) { pillar in
            let (answered, closed) = try await onThread {
                let connection = try RawConnection(port: pillar.port)
                defer { connection.close() }
                connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                let answered = connection.readResponse()?.status == 200
                return (answered, connection.closedByPeer(within: .seconds(5)))
            }
            #expect(answered)
            #expect(closed)
        }
    }

    @Test func theConnectionOverTheCapFromOneAddressIsRefusedWhileOthersWork() async throws {
        // The test's HTTP client keeps connections from 127.0.0.1, so the crowded client is 127.0.0.3.
        try await withPillar(configure: { $0.server.maxConnectionsPerAddress = 3 }) { pillar in
            let port = pillar.port
            let held = try await onThread {
                try (0..<3).map { _ in
                    let connection = try RawConnection(port: port, from: "127.0.0.3")
                    connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    guard connection.readResponse()?.status == 200 else { throw RawConnectionError("not admitted") }
                    return connection
                }
            }
            let refused = try await onThread {
                let connection = try RawConnection(port: port, from: "127.0.0.3")
                defer { connection.close() }
                connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                let response = connection.readResponse()
                return (response, connection.closedByPeer(within: .seconds(5)))
            }
            #expect(refused.1, "the fourth connection from one address stayed open")
            if let response = refused.0 {
                #expect(response.status == 503)
                #expect(response.errorCode == "too_many_connections", "\(response.body)")
            }
            // Other addresses are served meanwhile.
            let other = try await onThread {
                let connection = try RawConnection(port: port, from: "127.0.0.4")
                defer { connection.close() }
                connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                return connection.readResponse()?.status
            }
            #expect(other == 200)
            #expect(try await pillar.request(.GET, "/healthz", key: nil).status == 200)
            // A freed place can be taken again.
            held[0].close()
            let again = try await onThread {
                for _ in 0..<50 {
                    let connection = try RawConnection(port: port, from: "127.0.0.3")
                    defer { connection.close() }
                    connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    if connection.readResponse()?.status == 200 { return true }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                return false
            }
            #expect(again)
            held.dropFirst().forEach { $0.close() }
        }
    }
}
