import HummingbirdCore
import NIOCore

/// What one connection may cost the server: how long it may sit idle, how long a request may take to arrive,
/// and how many connections one client address may hold. Built into every HTTP/1 connection's pipeline.
struct ConnectionPolicy: Sendable {
    var idleTimeout: Duration
    var readTimeout: Duration
    /// 0: no cap (behind a reverse proxy every connection comes from the proxy's address).
    var maxConnectionsPerAddress: Int

    init(_ server: PillarConfiguration.Server) {
        idleTimeout = .milliseconds(Int64(server.idleTimeoutSeconds * 1000))
        readTimeout = .milliseconds(Int64(server.readTimeoutSeconds * 1000))
        maxConnectionsPerAddress = server.maxConnectionsPerAddress
    }

    func http1() -> HTTPServerBuilder {
        let connections = maxConnectionsPerAddress > 0 ? ConnectionsPerAddress(limit: maxConnectionsPerAddress) : nil
        let readTimeout = TimeAmount(readTimeout)
        // Called once a connection: each gets handlers of its own, the per-address counts are shared.
        let handlers: @Sendable () -> [any RemovableChannelHandler] = {
            var handlers: [any RemovableChannelHandler] = []
            if let connections { handlers.append(ConnectionCapHandler(connections: connections)) }
            handlers.append(MalformedRequestResponder())
            handlers.append(RequestReadDeadline(timeout: readTimeout))
            return handlers
        }
        return .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: handlers(),
                idleTimeout: TimeAmount(idleTimeout)))
    }
}
