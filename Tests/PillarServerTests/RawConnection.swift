import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP connection for the tests that need what an HTTP client will not do: send a request a byte at
/// a time, send bytes that are not HTTP, hold a connection open without a request, connect from another
/// loopback address. Its calls block, so tests run them through `onThread`, off the cooperative pool that the
/// server under test shares.
struct RawConnection: Sendable {
    let descriptor: Int32

    /// Connects to 127.0.0.1:`port` from `source` (any 127.x.y.z address is this machine's loopback).
    init(port: Int, from source: String = "127.0.0.1") throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawConnectionError("socket() failed") }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        remote.sin_addr.s_addr = inet_addr("127.0.0.1")
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, size) }
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, size) }
        }
        guard bound == 0, connected == 0 else {
            Glibc.close(descriptor)
            throw RawConnectionError("could not connect from \(source) to port \(port)")
        }
    }

    /// False once the peer has closed (or reset) the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    /// What arrives within `timeout`, and whether the peer closed the connection by then (a reset counts).
    func read(until stop: (Data) -> Bool = { _ in false }, timeout: Duration) -> (data: Data, closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !stop(data) {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return (data, false) }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(
                remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&poller, 1, max(1, milliseconds)) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (data, true) }
            data.append(contentsOf: buffer[..<count])
        }
        return (data, false)
    }

    /// Reads one whole response (its head, then `Content-Length` bytes of body).
    func readResponse(timeout: Duration = .seconds(30)) -> RawResponse? {
        let (data, _) = read(until: { RawResponse(data: $0, requireWholeBody: true) != nil }, timeout: timeout)
        return RawResponse(data: data, requireWholeBody: false)
    }

    /// True when the peer closes the connection within `timeout`.
    func closedByPeer(within timeout: Duration) -> Bool {
        read(timeout: timeout).closed
    }

    func close() {
        Glibc.close(descriptor)
    }
}

struct RawResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String

    init?(data: Data, requireWholeBody: Bool) {
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1."), statusLine.count >= 12,
            let status = Int(statusLine.dropFirst(9).prefix(3))
        else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = String(text[split.upperBound...])
        if requireWholeBody, let length = headers["content-length"].flatMap(Int.init), body.utf8.count < length { return nil }
        self.status = status
        self.headers = headers
        self.body = body
    }

    var errorCode: String? {
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        return (json?["error"] as? [String: Any])?["code"] as? String
    }
}

struct RawConnectionError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs blocking work on a thread of its own.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
