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

    /// Plain HTTP/1, or HTTP/1 over TLS with the certificates in use when each connection opens.
    func server(tls certificates: TLSCertificates?) -> HTTPServerBuilder {
        guard let certificates else { return http1() }
        let configuration = http1Configuration()
        return HTTPServerBuilder { responder in
            ReloadingTLSChannel(
                base: HTTP1Channel(responder: responder, configuration: configuration), certificates: certificates)
        }
    }

    func http1() -> HTTPServerBuilder { .http1(configuration: http1Configuration()) }

    func http1Configuration() -> HTTP1Channel.Configuration {
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
        return HTTP1Channel.Configuration(additionalChannelHandlers: handlers(), idleTimeout: TimeAmount(idleTimeout))
    }
}
